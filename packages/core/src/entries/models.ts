/** `@ragkit/core/models`: chat model configuration and the LangChain chat models built from it. */
export * from "../models/index.js";

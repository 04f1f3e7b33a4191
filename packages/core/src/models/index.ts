export * from "./config.js";
export * from "./create.js";
export * from "./env.js";
export * from "./errors.js";
export * from "./stream.js";

/**
 * The RagKit wire protocol: zod schemas for every request and response body of the HTTP API, and the types
 * inferred from them. `@ragkit/server` validates requests with these schemas; `@ragkit/react` validates
 * responses with them, so the two cannot drift apart silently.
 */
export * from "./agent-events.js";
export * from "./agent-parts.js";
export * from "./audit.js";
export * from "./chart.js";
export * from "./chat.js";
export * from "./chat-events.js";
export * from "./connectors.js";
export * from "./contract/index.js";
export * from "./cursors.js";
export * from "./datasets.js";
export * from "./documents.js";
export * from "./errors.js";
export * from "./health.js";
export * from "./jobs.js";
export * from "./json.js";
export * from "./search.js";
export * from "./text.js";
export * from "./threads.js";

/** Bumped on breaking changes to any schema in this package. */
export const PROTOCOL_VERSION = 1;

/**
 * `@ragkit/core`: the whole engine. The same exports are split into subpath entries that load only what they
 * need: `@ragkit/core/store`, `/ingest`, `/agent`, `/models`, `/connectors` (see docs/architecture.md).
 */
export * from "./entries/agent.js";
export * from "./entries/connectors.js";
export * from "./entries/ingest.js";
export * from "./entries/models.js";
export * from "./entries/store.js";
export { createRagKit, type RagKit, type RagKitOptions } from "./kit/create.js";

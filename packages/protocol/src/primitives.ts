/**
 * `@ragkit/protocol/primitives`: the storable-text, JSON and id schemas every other schema is built from, without
 * the route schemas. `@ragkit/core/store` imports this entry so that opening a store does not build the whole
 * protocol's schemas (see `npm run bench:import`).
 */
export * from "./cursors.js";
export * from "./json.js";
export * from "./text.js";

/**
 * `@ragkit/core/connectors`: sources that sync into the store (directory, S3, SharePoint, URL lists) and the
 * egress policy that guards their network access.
 */
export * from "../connectors/index.js";
export * from "../net/index.js";

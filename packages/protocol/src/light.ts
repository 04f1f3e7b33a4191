/**
 * `@ragkit/protocol/routes`: the protocol's plain values (route paths, header names) without any zod schema, for
 * clients that import the types of this package and need no run-time validation (`@ragkit/react/headless`
 * stays a few KiB this way). Keep this entry free of zod: test/light-entry.test.ts checks the built file.
 */
export { REQUEST_ID_HEADER } from "./headers.js";
export { routes } from "./routes.js";

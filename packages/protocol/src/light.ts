/**
 * `@ragkit/protocol/routes`: the protocol's plain values (the route table and path builder, header names) without any zod schema, for
 * clients that import the types of this package and need no run-time validation (`@ragkit/react/headless`
 * stays a few KiB this way). Keep this entry free of zod: test/light-entry.test.ts checks the built file.
 */

export {
  type HttpMethod,
  type PathArgs,
  type PathParams,
  pathTo,
  type RouteName,
  type RouteSpec,
  routeTable,
} from "./contract/table.js";
export { REQUEST_ID_HEADER } from "./headers.js";

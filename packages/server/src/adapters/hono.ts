import type { WebHandler } from "../node.js";

/** The part of Hono's context the adapter reads (structural: no dependency on Hono itself). */
export interface HonoLikeContext {
  req: { raw: Request };
}

/**
 * A Hono handler: `app.all("/api/rag/*", toHonoHandler(handler))` with `basePath: "/api/rag"`. Hono runs on
 * Node, Bun, Deno and edge runtimes; RagKit's store needs Node (PGlite or `pg`), so on edge runtimes point the
 * handler at a `postgres://` database reachable from there.
 */
export function toHonoHandler(handler: WebHandler): (c: HonoLikeContext) => Promise<Response> {
  return (c) => handler(c.req.raw);
}

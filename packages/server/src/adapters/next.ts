import type { WebHandler } from "../node.js";

type RouteHandler = (request: Request) => Promise<Response>;

export interface NextRouteHandlers {
  GET: RouteHandler;
  POST: RouteHandler;
  PUT: RouteHandler;
  PATCH: RouteHandler;
  DELETE: RouteHandler;
  OPTIONS: RouteHandler;
}

/**
 * Next.js App Router route handlers, for a catch-all route such as `app/api/rag/[...path]/route.ts`:
 *
 * ```ts
 * export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = toNextRouteHandlers(handler); // basePath "/api/rag"
 * export const runtime = "nodejs"; // the store needs Node APIs
 * export const dynamic = "force-dynamic"; // never cache API answers
 * ```
 * Add `@ragkit/core` and `@electric-sql/pglite` to `serverExternalPackages` in next.config so they are not bundled.
 */
export function toNextRouteHandlers(handler: WebHandler): NextRouteHandlers {
  // Next passes a NextRequest (a Request subclass) and a context object; only the request matters here.
  const route: RouteHandler = (request) => handler(request);
  return { GET: route, POST: route, PUT: route, PATCH: route, DELETE: route, OPTIONS: route };
}

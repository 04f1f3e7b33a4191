import { routes as paths } from "@ragkit/protocol";
import { jsonResponse } from "../http.js";
import type { Route } from "../router.js";
import { buildOpenApiDocument } from "./document.js";

/** `GET /openapi.json` (public): built once from the handler's route table. */
export function openApiRoute(table: () => readonly Route[]): Route {
  let cached: Record<string, unknown> | undefined;
  return {
    method: "GET",
    path: paths.openapi,
    auth: false,
    async handle({ url }) {
      cached ??= buildOpenApiDocument(table(), {
        serverUrl: `${url.origin}${url.pathname.slice(0, -paths.openapi.length)}`,
      });
      return jsonResponse(200, cached, { "cache-control": "public, max-age=300" });
    },
  };
}

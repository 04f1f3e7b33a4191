import { routeTable } from "@ragkit/protocol";
import { jsonResponse } from "../http.js";
import type { Route } from "../router.js";
import { buildOpenApiDocument } from "./document.js";

/** `GET /openapi.json` (public): built once from the handler's route table. */
export function openApiRoute(table: () => readonly Route[]): Route<"openapi"> {
  let cached: Record<string, unknown> | undefined;
  return {
    name: "openapi",
    async handle({ url }) {
      cached ??= buildOpenApiDocument(table(), {
        serverUrl: `${url.origin}${url.pathname.slice(0, -routeTable.openapi.path.length)}`,
      });
      return jsonResponse(200, cached, { "cache-control": "public, max-age=300" });
    },
  };
}

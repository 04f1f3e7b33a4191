import type { IncomingMessage, ServerResponse } from "node:http";
import { adaptNode, type WebHandler } from "../node.js";

/** The parts of Express's request this adapter reads (no dependency on Express itself). */
interface ExpressRequest extends IncomingMessage {
  originalUrl?: string;
  /** Set by body-parsing middleware such as `express.json()`. */
  body?: unknown;
}

export type ExpressMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

function isJson(req: IncomingMessage): boolean {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

/**
 * Express (4 and 5) middleware. Mount it at the handler's base path or above it:
 * `app.use(toExpressMiddleware(handler))` or `app.use("/api/rag", …)` with `basePath: "/api/rag"`.
 * Requests outside the base path go to `next()`. Routing uses `originalUrl`, so the mount path does not
 * matter. If `express.json()` ran first, the parsed JSON body is re-encoded; other consumed bodies (urlencoded,
 * raw) cannot be recovered, so mount RagKit before those parsers.
 */
export function toExpressMiddleware(handler: WebHandler & { readonly basePath?: string }): ExpressMiddleware {
  const basePath = handler.basePath ?? "";
  const node = adaptNode(handler, {
    url: (req) => (req as ExpressRequest).originalUrl ?? req.url ?? "/",
    consumedBody: (req) => {
      const body = (req as ExpressRequest).body;
      // Body parsers mark the stream consumed; an untouched request still streams into the handler.
      if (!req.readableEnded || body === undefined || !isJson(req)) return null;
      return new TextEncoder().encode(JSON.stringify(body));
    },
  });
  return (req, res, next) => {
    const path = ((req as ExpressRequest).originalUrl ?? req.url ?? "/").split("?")[0]!;
    if (basePath !== "" && path !== basePath && !path.startsWith(`${basePath}/`)) {
      next();
      return;
    }
    node(req, res).catch(next);
  };
}

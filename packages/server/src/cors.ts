import type { ParsedOptions } from "./options.js";

type Cors = NonNullable<ParsedOptions["cors"]>;

const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/** Headers the browser may read: request ids for support tickets, rate-limit and auth answers, SSE run ids. */
const EXPOSED_HEADERS =
  "x-request-id, retry-after, www-authenticate, x-ratelimit-limit, x-ratelimit-remaining, x-run-id, location";
const DEFAULT_ALLOWED_HEADERS = "authorization, content-type, last-event-id, x-request-id, accept";

function allowedOrigin(cors: Cors, origin: string | null): string | null {
  if (origin === null) return null;
  if (cors.origins === "*") return "*";
  if (typeof cors.origins === "function") return cors.origins(origin) ? origin : null;
  return cors.origins.includes(origin) ? origin : null;
}

function originHeaders(cors: Cors, allowed: string): Record<string, string> {
  return {
    "access-control-allow-origin": allowed,
    ...(cors.credentials ? { "access-control-allow-credentials": "true" } : {}),
    // The answer depends on the Origin header unless it is "*": caches must key on it.
    ...(allowed === "*" ? {} : { vary: "Origin" }),
  };
}

/**
 * Answers a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`). A disallowed origin gets a 204
 * without CORS headers, which the browser treats as a refusal; nothing about the API is revealed.
 */
export function preflight(cors: Cors | undefined, request: Request): Response | null {
  if (!cors || request.method !== "OPTIONS" || !request.headers.has("access-control-request-method")) {
    return null;
  }
  const allowed = allowedOrigin(cors, request.headers.get("origin"));
  if (allowed === null) return new Response(null, { status: 204, headers: { vary: "Origin" } });
  return new Response(null, {
    status: 204,
    headers: {
      ...originHeaders(cors, allowed),
      "access-control-allow-methods": ALLOWED_METHODS,
      "access-control-allow-headers":
        request.headers.get("access-control-request-headers") ?? DEFAULT_ALLOWED_HEADERS,
      "access-control-max-age": String(cors.maxAgeSec),
      vary: "Origin, Access-Control-Request-Headers",
    },
  });
}

/** Adds CORS headers to an actual (non-preflight) response when the request's origin is allowed. */
export function withCors(cors: Cors | undefined, request: Request, response: Response): Response {
  if (!cors) return response;
  const allowed = allowedOrigin(cors, request.headers.get("origin"));
  if (allowed === null) return response;
  for (const [name, value] of Object.entries(originHeaders(cors, allowed))) {
    if (name === "vary") response.headers.append("vary", value);
    else response.headers.set(name, value);
  }
  response.headers.set("access-control-expose-headers", EXPOSED_HEADERS);
  return response;
}

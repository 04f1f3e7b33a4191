import { z } from "zod";

/**
 * Every error code the RagKit HTTP API can return, with its HTTP status. Codes are stable; messages are for
 * humans and may change. Clients should branch on `code`, never on `message`.
 */
export const errorStatus = {
  /** The request body, query or path failed validation; `details` lists the offending fields. */
  invalid_input: 400,
  /** No bearer token, or the token failed verification (signature, expiry, audience, issuer, …). */
  unauthorized: 401,
  /** The token is valid but does not carry a usable tenant claim. */
  forbidden: 403,
  /** The token's tenant has not been provisioned in this store (and auto-provisioning is off). */
  unknown_tenant: 403,
  /** Unknown route, or a resource that does not exist in the caller's tenant. */
  not_found: 404,
  /** The route exists but not for this method; see the `Allow` header. */
  method_not_allowed: 405,
  /** The request conflicts with the resource's current state (e.g. retrying a job that has not failed). */
  conflict: 409,
  /** The request body is larger than the server's limit. */
  payload_too_large: 413,
  /** The request body's media type is not accepted here (JSON, or multipart for uploads; or an unsupported file type). */
  unsupported_media_type: 415,
  /** Too many requests for this user or tenant; retry after the `Retry-After` header's seconds. */
  rate_limited: 429,
  /**
   * Something the server called on the caller's behalf failed: a connector's source (wrong credentials, access
   * denied, unreachable, throttled) or a model provider. The message says which; no secret is ever in it.
   */
  upstream_error: 502,
  /** An unexpected server-side failure; details are logged server-side, never returned. */
  internal_error: 500,
  /** A dependency (database, JWKS endpoint) is unreachable; retry later. */
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];

export const errorCodeSchema = z.enum(errorCodes);

/** One field-level problem: `path` is dot-separated (`"filter.lang"`, `"topK"`), `"(root)"` for the whole value. */
export const errorDetailSchema = z.object({
  path: z.string(),
  message: z.string(),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/**
 * The body of every non-2xx response. `code` is parsed as any string so that a client keeps working when a newer
 * server adds a code; compare it against `errorCodes` / `ErrorCode`.
 */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().min(1),
    message: z.string(),
    details: z.array(errorDetailSchema).optional(),
    requestId: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(errorStatus, value);
}

export { REQUEST_ID_HEADER } from "./headers.js";

/** Request ids the server echoes back; anything else is replaced by a generated id. */
export const requestIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

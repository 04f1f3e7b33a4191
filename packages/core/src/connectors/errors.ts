import { RagKitError, type RagKitErrorCode } from "../errors/index.js";
import { egressRefusalOf } from "../net/errors.js";

/** Why a connector or one object failed, finer than the RagKitError code (which maps to HTTP statuses). */
export type ConnectorFailure =
  | "auth_failed"
  | "access_denied"
  | "source_not_found"
  | "network"
  | "throttled"
  | "too_large"
  | "unsupported_type"
  | "invalid_response"
  | "egress_refused"
  | "aborted";

const CODES: Record<ConnectorFailure, RagKitErrorCode> = {
  auth_failed: "provider_error",
  access_denied: "provider_error",
  source_not_found: "not_found",
  network: "provider_error",
  throttled: "rate_limited",
  too_large: "too_large",
  unsupported_type: "unsupported_type",
  invalid_response: "provider_error",
  // The configuration points at an address the server's egress policy refuses: the tenant's input to fix.
  egress_refused: "invalid_input",
  aborted: "aborted",
};

/**
 * A connector failure. Messages are written by us from the failure kind and non-secret facts (bucket, status);
 * the upstream error is kept only as `cause` after `redact`, so no credential can reach a client or a log line.
 */
export class ConnectorError extends RagKitError {
  readonly failure: ConnectorFailure;
  constructor(failure: ConnectorFailure, message: string, options: { cause?: unknown } = {}) {
    super(CODES[failure], message, options);
    this.name = "ConnectorError";
    this.failure = failure;
  }
}

/** Replaces every occurrence of each secret in `text` (secrets shorter than 4 characters are left alone). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("[redacted]");
  return out;
}

/** All string leaves of a credentials object: what must never appear in an error. */
export function secretStrings(credentials: unknown): string[] {
  if (typeof credentials === "string") return [credentials];
  if (credentials && typeof credentials === "object")
    return Object.values(credentials).flatMap((v) => secretStrings(v));
  return [];
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return (
    signal?.aborted === true ||
    (error instanceof Error && error.name === "AbortError") ||
    (error instanceof RagKitError && error.code === "aborted")
  );
}

/** A ConnectorError("egress_refused") when `error` is (or wraps) an egress refusal; otherwise undefined. */
export function egressFailure(error: unknown): ConnectorError | undefined {
  const refusal = egressRefusalOf(error);
  return refusal && new ConnectorError("egress_refused", refusal.message, { cause: refusal });
}

/**
 * Provider-agnostic HTTP helpers for embedding providers: the error type that carries retry
 * information, Retry-After parsing, jittered exponential backoff and secret redaction.
 */
import { RagKitError, type RagKitErrorCode, type RagKitErrorOptions } from "../errors/index.js";

export interface EmbeddingApiErrorOptions extends RagKitErrorOptions {
  /** HTTP status, when the provider answered at all. */
  status?: number;
  /** Whether sending the same request again may succeed (429, 5xx, timeouts, network errors). */
  isRetryable?: boolean;
  /** How long the provider asked us to wait (Retry-After / retry-after-ms), uncapped. */
  retryAfterMs?: number;
  /** How many HTTP attempts were made before giving up (set on the error `embed()` rejects with). */
  attempts?: number;
}

/** A failed call to an embedding provider's API. `code` is "provider_error", "rate_limited", "timeout" or "config_error". */
export class EmbeddingApiError extends RagKitError {
  readonly status: number | undefined;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;

  constructor(code: RagKitErrorCode, message: string, options: EmbeddingApiErrorOptions = {}) {
    super(code, message, options);
    this.name = "EmbeddingApiError";
    this.status = options.status;
    this.isRetryable = options.isRetryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.attempts = options.attempts ?? 1;
  }
}

/**
 * The delay a response asks for, in milliseconds, or undefined when it asks for none (or for
 * nonsense). Reads `retry-after-ms` (OpenAI, Azure) first, then `retry-after` as delta-seconds
 * or as an HTTP-date (RFC 9110 §10.2.3).
 */
export function parseRetryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const header = headers.get("retry-after");
  if (header === null || header.trim() === "") return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date always names a day or month; Date.parse alone would also accept "-5" as a year.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter": the n-th retry (0-based) waits between half and all
 * of min(maxMs, baseMs × 2^n), so concurrent clients spread out but never retry immediately.
 */
export function backoffDelayMs(
  retryIndex: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** retryIndex);
  return ceiling / 2 + random() * (ceiling / 2);
}

const SECRET_PATTERNS: readonly RegExp[] = [
  // OpenAI-style keys, including the masked forms the API echoes ("sk-abc***xyz").
  /\bsk-[A-Za-z0-9_*.-]{3,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/*-]+=*/gi,
];

/** Removes the given secrets and anything that looks like an API key from a message meant for logs/clients. */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[] = []): string {
  let out = message;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length > 0) out = out.split(secret).join("[redacted]");
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "[redacted]");
  return out;
}

/**
 * The human-readable message of an error response body, across the shapes OpenAI-compatible
 * servers use: `{error: {message}}` (OpenAI, vLLM), `{error: "..."}` (Ollama), `{message}`,
 * `{detail}` (FastAPI). Falls back to the start of the raw body.
 */
export function extractErrorMessage(body: string): { message: string | undefined; code: string | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const raw = body.trim();
    return { message: raw === "" ? undefined : truncate(raw), code: undefined };
  }
  if (!isRecord(parsed)) return { message: undefined, code: undefined };
  const error = parsed.error;
  if (typeof error === "string") return { message: truncate(error), code: undefined };
  if (isRecord(error)) {
    const message = typeof error.message === "string" ? truncate(error.message) : undefined;
    const code =
      typeof error.code === "string" ? error.code : typeof error.type === "string" ? error.type : undefined;
    return { message, code };
  }
  if (typeof parsed.message === "string") return { message: truncate(parsed.message), code: undefined };
  if (typeof parsed.detail === "string") return { message: truncate(parsed.detail), code: undefined };
  return { message: undefined, code: undefined };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function truncate(text: string, max = 500): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

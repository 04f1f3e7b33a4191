import { RagKitError, type RagKitErrorCode } from "../errors/index.js";

function field(error: unknown, key: string): unknown {
  return typeof error === "object" && error !== null && key in error
    ? (error as Record<string, unknown>)[key]
    : undefined;
}

function statusOf(error: unknown): number | undefined {
  for (const candidate of [error, field(error, "response"), field(error, "cause")]) {
    const status = field(candidate, "status") ?? field(candidate, "statusCode");
    if (typeof status === "number") return status;
  }
  return undefined;
}

function namesOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const name = field(current, "name");
    const message = field(current, "message");
    const code = field(current, "code");
    const lcCode = field(current, "lc_error_code");
    for (const part of [name, message, code, lcCode]) if (typeof part === "string") parts.push(part);
    current = field(current, "cause");
  }
  return parts.join(" | ");
}

/** Removes anything that looks like an API key or bearer token from a provider message. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_-]{6,}/g, "[redacted]")
    .replace(/Bearer\s+[A-Za-z0-9._-]+/gi, "Bearer [redacted]")
    .slice(0, 500);
}

export interface ModelErrorContext {
  /** The provider, for the message ("openai", "anthropic", ...). */
  provider?: string;
  signal?: AbortSignal;
}

/**
 * Maps a provider / LangChain / network failure to a RagKitError:
 * abort → `aborted`, timeout → `timeout`, 429 → `rate_limited`, 401/403 → `config_error`,
 * 5xx, network and broken streams → `provider_error`, other 4xx → `provider_error` with the status.
 * Messages never echo the API key.
 */
export function toModelError(error: unknown, context: ModelErrorContext = {}): RagKitError {
  if (error instanceof RagKitError) return error;
  const who = context.provider ? `The ${context.provider} model` : "The model";
  const status = statusOf(error);
  const names = namesOf(error);
  const rawMessage = typeof field(error, "message") === "string" ? (field(error, "message") as string) : "";
  const detail = rawMessage ? `: ${scrubSecrets(rawMessage)}` : "";
  const make = (code: RagKitErrorCode, message: string, keepCause = true) =>
    new RagKitError(code, message, keepCause ? { cause: error } : {});

  if (context.signal?.aborted) return make("aborted", `${who} call was cancelled.`);
  if (status === undefined && /TimeoutError|ETIMEDOUT|timed out|timeout/i.test(names)) {
    return make("timeout", `${who} did not respond in time.`);
  }
  if (status === undefined && /AbortError|Request was aborted/i.test(names)) {
    return make("aborted", `${who} call was cancelled.`);
  }
  if (status === 429 || /MODEL_RATE_LIMIT|RateLimit/i.test(names)) {
    return make("rate_limited", `${who} is rate limited (HTTP 429); retries were exhausted${detail}`);
  }
  if (status === 401 || status === 403 || /MODEL_AUTHENTICATION/.test(names)) {
    // The provider's 401 text often quotes the (partial) key: never forward it, not even as the cause.
    return make(
      "config_error",
      `${who} rejected the credentials (HTTP ${status ?? 401}); check the API key.`,
      false,
    );
  }
  if (status !== undefined && status >= 500) {
    return make("provider_error", `${who} failed with HTTP ${status}${detail}`);
  }
  if (status === 404) {
    return make(
      "config_error",
      `${who} was not found (HTTP 404); check the model name and base URL${detail}`,
    );
  }
  if (status !== undefined) {
    return make("provider_error", `${who} request failed with HTTP ${status}${detail}`);
  }
  return make("provider_error", `${who} could not be reached or its stream broke off${detail}`);
}

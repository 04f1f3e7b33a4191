/**
 * Typed errors. Every failure that a caller can cause (bad input, unknown tenant, missing resource)
 * is a RagKitError with a stable `code`, so the server can map it to an HTTP status without string matching.
 */
export type RagKitErrorCode =
  | "invalid_input"
  | "unknown_tenant"
  | "not_found"
  | "conflict"
  | "dimension_mismatch"
  | "config_error"
  | "unsupported_type"
  | "too_large"
  | "provider_error"
  | "rate_limited"
  | "timeout"
  | "aborted"
  | "database_error";

export interface RagKitErrorOptions {
  cause?: unknown;
  /** Field-level details, e.g. `{ path: "topK", message: "must be ≤ 1000" }`. */
  details?: ReadonlyArray<{ path: string; message: string }>;
}

export class RagKitError extends Error {
  readonly code: RagKitErrorCode;
  readonly details: ReadonlyArray<{ path: string; message: string }>;

  constructor(code: RagKitErrorCode, message: string, options: RagKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RagKitError";
    this.code = code;
    this.details = options.details ?? [];
  }
}

export class ValidationError extends RagKitError {
  constructor(message: string, options: RagKitErrorOptions = {}) {
    super("invalid_input", message, options);
    this.name = "ValidationError";
  }
}

export class NotFoundError extends RagKitError {
  constructor(message: string, options: RagKitErrorOptions = {}) {
    super("not_found", message, options);
    this.name = "NotFoundError";
  }
}

export class UnknownTenantError extends RagKitError {
  constructor(options: RagKitErrorOptions = {}) {
    // The id is deliberately not echoed: error texts travel to clients and logs.
    super("unknown_tenant", "Unknown tenant: it has not been created in this store.", options);
    this.name = "UnknownTenantError";
  }
}

export class DimensionMismatchError extends RagKitError {
  constructor(message: string, options: RagKitErrorOptions = {}) {
    super("dimension_mismatch", message, options);
    this.name = "DimensionMismatchError";
  }
}

export class ConfigError extends RagKitError {
  constructor(message: string, options: RagKitErrorOptions = {}) {
    super("config_error", message, options);
    this.name = "ConfigError";
  }
}

export function isRagKitError(error: unknown): error is RagKitError {
  return error instanceof RagKitError;
}

/** Turns a zod error into a ValidationError with one readable line per issue. */
export function validationErrorFromZod(
  what: string,
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): ValidationError {
  const details = issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const summary = details.map((d) => `${d.path}: ${d.message}`).join("; ");
  return new ValidationError(`Invalid ${what}: ${summary}`, { details });
}

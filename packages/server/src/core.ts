import type { KnowledgeStore, RagKit, TenantContext } from "@ragkit/core";
import { HttpError } from "./http.js";

/**
 * `@ragkit/core` is loaded on first use, not at import time: importing `@ragkit/server` stays cheap (no
 * PGlite, no loaders) and the handler module itself runs on any runtime with `Request`/`Response`.
 */
type Core = typeof import("@ragkit/core");

let core: Promise<Core> | undefined;

export function loadCore(): Promise<Core> {
  core ??= import("@ragkit/core").catch((error: unknown) => {
    core = undefined;
    throw error;
  });
  return core;
}

export type { KnowledgeStore, RagKit, TenantContext };

/**
 * Duck-typed RagKitError check: a store from the CJS build and this module's ESM import of core would fail
 * `instanceof`, so the stable `code` + `details` shape is what counts.
 */
function ragKitErrorOf(
  error: unknown,
): { code: string; details: ReadonlyArray<{ path: string; message: string }> } | null {
  if (!(error instanceof Error)) return null;
  const e = error as Error & { code?: unknown; details?: unknown };
  return typeof e.code === "string" && Array.isArray(e.details)
    ? { code: e.code, details: e.details as ReadonlyArray<{ path: string; message: string }> }
    : null;
}

/**
 * Maps store errors to HTTP. `invalid_input` → 400 (with field details), `not_found` → 404, `conflict` → 409,
 * `too_large` → 413, `unsupported_type` → 415, `unknown_tenant` →
 * 403 (the caller is authenticated, its tenant is just not provisioned here; no other tenant's existence is
 * revealed because the id comes from the caller's own token). Everything else is a server fault: `null`.
 */
export function httpErrorFromStore(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  const e = ragKitErrorOf(error);
  if (!e) return null;
  switch (e.code) {
    case "invalid_input":
      return new HttpError("invalid_input", (error as Error).message, { details: e.details });
    case "not_found":
      return new HttpError("not_found", "Not found.");
    case "conflict":
      return new HttpError("conflict", (error as Error).message);
    case "too_large":
      return new HttpError("payload_too_large", (error as Error).message, { details: e.details });
    case "provider_error":
    case "timeout":
      return new HttpError("upstream_error", (error as Error).message);
    case "unsupported_type":
      return new HttpError("unsupported_media_type", (error as Error).message, { details: e.details });
    case "unknown_tenant":
      return new HttpError(
        "unknown_tenant",
        "Your tenant has not been provisioned on this server. Ask an administrator to create it.",
      );
    default:
      return null;
  }
}

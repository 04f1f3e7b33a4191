import { RagKitClientError } from "../client.js";

/** Hooks expose only RagKitClientErrors; anything else (a bug in a custom fetch, say) is wrapped. */
export function toClientError(error: unknown): RagKitClientError {
  if (RagKitClientError.is(error)) return error;
  return new RagKitClientError({
    status: 0,
    code: "network_error",
    message: error instanceof Error ? error.message : "Request failed.",
    cause: error,
  });
}

import { RagKitError } from "../errors/index.js";

/**
 * An outbound connection refused by the egress policy: before it was opened (a URL, a host or a resolved
 * address outside what the policy allows) or at a redirect hop. The message names the host and the kind of
 * address, never the address a *name* resolved to (that would turn the refusal into a DNS oracle for a
 * private network).
 */
export class EgressRefusedError extends RagKitError {
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super("invalid_input", `Refused to connect to ${host}: ${reason}.`);
    this.name = "EgressRefusedError";
  }
}

/** The EgressRefusedError behind `error`, looking through `cause` chains (fetch wraps connect errors). */
export function egressRefusalOf(error: unknown): EgressRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth++) {
    if (current instanceof EgressRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

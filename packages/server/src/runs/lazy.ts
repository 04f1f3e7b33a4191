import type { RagKit } from "../core.js";
import { HttpError } from "../http.js";
import { RunManager } from "./manager.js";
import type { ParsedAgentOptions } from "./options.js";

export interface LazyRuns {
  get(): Promise<RunManager>;
  stop(): Promise<void>;
}

/** The run manager over the kit's agent and run store, created on the first chat request. */
export function lazyRuns(
  getKit: () => Promise<RagKit>,
  options: ParsedAgentOptions,
  onError: (error: unknown) => void,
): LazyRuns {
  let manager: Promise<RunManager> | undefined;
  // Web-standard globals only: the handler module stays loadable on edge runtimes.
  const owner = `${globalThis.process?.pid ?? 0}:${crypto.randomUUID()}`;
  return {
    get() {
      manager ??= getKit()
        .then(({ store, agent, runs }) => {
          return new RunManager({
            store,
            runs,
            agent,
            owner,
            pollIntervalMs: options.pollIntervalMs,
            staleRunMs: options.staleRunMs,
            flushIntervalMs: options.flushIntervalMs,
            persistRetries: options.persistRetries,
            persistRetryMs: options.persistRetryMs,
            newId: () => crypto.randomUUID(),
            onError,
          });
        })
        .catch((error: unknown) => {
          manager = undefined;
          if (error instanceof HttpError) throw error;
          throw new HttpError("service_unavailable", "The chat agent is not available.", { cause: error });
        });
      return manager;
    },
    async stop() {
      const m = manager;
      manager = undefined;
      if (m) await (await m.catch(() => null))?.close();
    },
  };
}

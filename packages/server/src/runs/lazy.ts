import { type KnowledgeStore, loadCore } from "../core.js";
import { HttpError } from "../http.js";
import { RunManager } from "./manager.js";
import type { ParsedAgentOptions } from "./options.js";

export interface LazyRuns {
  get(): Promise<RunManager>;
  stop(): Promise<void>;
}

/** Creates the agent and its run manager on the first chat request (core and LangGraph load only then). */
export function lazyRuns(
  getStore: () => Promise<KnowledgeStore>,
  options: ParsedAgentOptions,
  onError: (error: unknown) => void,
): LazyRuns {
  let manager: Promise<RunManager> | undefined;
  // Web-standard globals only: the handler module stays loadable on edge runtimes.
  const owner = `${globalThis.process?.pid ?? 0}:${crypto.randomUUID()}`;
  return {
    get() {
      manager ??= Promise.all([getStore(), loadCore()])
        .then(([store, core]) => {
          const agent = core.createRagAgent({
            ...options.options,
            store,
            onInternalError: options.options?.onInternalError ?? onError,
          });
          return new RunManager({
            store,
            runs: new core.RunStore(store),
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

import type { ChunkOptions, IngestionQueue } from "@ragkit/core";
import { type KnowledgeStore, loadCore } from "../core.js";
import type { ParsedOptions } from "../options.js";

type Ingestion = ParsedOptions["ingestion"];

/**
 * One ingestion queue per handler, created on first use; with `worker: true` it also starts this process's
 * worker loop. Jobs live in the shared database, so uploads accepted by one replica may be processed by any.
 */
export function lazyQueue(
  getStore: () => Promise<KnowledgeStore>,
  options: Ingestion,
): { get(): Promise<IngestionQueue>; stop(): Promise<void> } {
  let queue: Promise<IngestionQueue> | undefined;
  let worker: { stop(): Promise<void> } | undefined;
  return {
    get() {
      queue ??= Promise.all([getStore(), loadCore()])
        .then(([store, core]) => {
          const q = new core.IngestionQueue(store, {
            maxBytes: options.maxFileBytes,
            ...(options.chunking
              ? { ingest: { chunking: options.chunking as Omit<ChunkOptions, "signal"> } }
              : {}),
          });
          if (options.worker) worker = q.startWorker({ concurrency: options.concurrency });
          return q;
        })
        .catch((error: unknown) => {
          queue = undefined;
          throw error;
        });
      return queue;
    },
    async stop() {
      const w = worker;
      worker = undefined;
      queue = undefined;
      await w?.stop();
    },
  };
}

import type { ChunkOptions, IngestionQueue, IngestionQueueOptions } from "@ragkit/core";
import type { RagKit } from "../core.js";
import type { ParsedOptions } from "../options.js";

type Ingestion = ParsedOptions["ingestion"];

/** The handler's `ingestion` options as the options of core's IngestionQueue (built by `createRagKit`). */
export function queueOptionsOf(options: Ingestion): IngestionQueueOptions {
  return {
    maxBytes: options.maxFileBytes,
    ...(options.chunking ? { ingest: { chunking: options.chunking as Omit<ChunkOptions, "signal"> } } : {}),
  };
}

/**
 * The handler's ingestion queue (the kit's), on first use; with `worker: true` it also starts this process's
 * worker loop. Jobs live in the shared database, so uploads accepted by one replica may be processed by any.
 */
export function lazyQueue(
  getKit: () => Promise<RagKit>,
  options: Ingestion,
): { get(): Promise<IngestionQueue>; stop(): Promise<void> } {
  let queue: Promise<IngestionQueue> | undefined;
  let worker: { stop(): Promise<void> } | undefined;
  return {
    get() {
      queue ??= getKit()
        .then(({ ingestion }) => {
          if (options.worker) worker = ingestion.startWorker({ concurrency: options.concurrency });
          return ingestion;
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

import type { RagAgent, RagAgentOptions } from "../agent/options.js";
import { createRagAgent } from "../agent/runtime.js";
import { ConnectorService, type ConnectorServiceOptions } from "../connectors/service.js";
import type { Embedder } from "../embeddings/types.js";
import { ConfigError } from "../errors/index.js";
import { IngestionQueue, type IngestionQueueOptions } from "../jobs/queue.js";
import { RunStore } from "../runs/run-store.js";
import { KnowledgeStore } from "../store/knowledge-store.js";
import type { StoreOptionsInput } from "../store/options.js";

/** Everything `createRagKit` wires together; each part has the options of the class it configures. */
export interface RagKitOptions extends Omit<StoreOptionsInput, "embedder"> {
  /**
   * A store you opened yourself; `database`, `driver` and the other store options must then be left out.
   * `close()` leaves a store passed in open (its owner closes it).
   */
  store?: KnowledgeStore;
  /** The embedder for documents and queries. Default: the offline hashing embedder. */
  embedder?: Embedder;
  /** The agent's models (any role left out keeps its offline heuristic). */
  models?: RagAgentOptions["models"];
  /** The other agent options (approvals, data tools, limits). The kit supplies the store and `models`. */
  agent?: Omit<RagAgentOptions, "store" | "models">;
  /** Options of the ingestion queue (retries, leases, loader and chunker options for its workers). */
  ingestion?: IngestionQueueOptions;
  /** Options of the connector service (credential encryption, egress policy). */
  connectors?: ConnectorServiceOptions;
}

/** One store and the services built on it, sharing its connection and schema. */
export interface RagKit {
  readonly store: KnowledgeStore;
  /** Durable ingestion jobs. No worker runs until you call `ingestion.startWorker()`. */
  readonly ingestion: IngestionQueue;
  readonly agent: RagAgent;
  /** The agent's durable runs and their event logs (what `@ragkit/server` replays to reconnecting clients). */
  readonly runs: RunStore;
  readonly connectors: ConnectorService;
  /** Stops the ingestion workers (`ingestion.stopWorkers()`), then closes the store if the kit opened it. */
  close(): Promise<void>;
}

/**
 * The composition root: opens (or adopts) one KnowledgeStore and builds the ingestion queue, agent, run store
 * and connector service on it, so a host writes one call instead of wiring four constructors in the right
 * order. Every part validates its own options, so a misconfiguration throws here, before the first request.
 *
 * This module loads the whole engine (LangChain included); a host that only searches imports
 * `@ragkit/core/store` and opens a `KnowledgeStore` instead.
 */
export async function createRagKit(options: RagKitOptions = {}): Promise<RagKit> {
  const {
    store: given,
    models,
    agent: agentOptions,
    ingestion: queueOptions,
    connectors,
    ...storeOptions
  } = options;
  const storeKeys = Object.entries(storeOptions).flatMap(([key, v]) => (v === undefined ? [] : [key]));
  if (given && storeKeys.length > 0) {
    throw new ConfigError(
      `createRagKit: pass either a store or the options to open one (${storeKeys.join(", ")}), not both.`,
    );
  }
  const store = given ?? (await KnowledgeStore.open(storeOptions));
  try {
    const ingestion = new IngestionQueue(store, queueOptions);
    const agent = createRagAgent({ ...agentOptions, ...(models ? { models } : {}), store });
    const runs = new RunStore(store);
    const connectorService = new ConnectorService(store, ingestion, connectors);
    let closed: Promise<void> | undefined;
    return {
      store,
      ingestion,
      agent,
      runs,
      connectors: connectorService,
      close() {
        closed ??= (async () => {
          await ingestion.stopWorkers();
          if (!given) await store.close();
        })();
        return closed;
      },
    };
  } catch (error) {
    if (!given) await store.close().catch(() => undefined);
    throw error;
  }
}

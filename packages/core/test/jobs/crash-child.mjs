// Child process for the crash test: a worker that connects over the wire, claims a job and hangs in
// embedding until the parent kills it with SIGKILL.
import { createPgDriver, IngestionQueue, KnowledgeStore, OfflineEmbedder } from "../../dist/index.js";

const [url, leaseMs, mode = "migrate"] = process.argv.slice(2);
const inner = new OfflineEmbedder();
const hanging = {
  name: inner.name,
  dimension: inner.dimension,
  embed: () => {
    process.stdout.write("EMBEDDING\n");
    return new Promise(() => {});
  },
};
const driver = await createPgDriver({ connectionString: url, poolConfig: { max: 1 } });
// "verify": a runtime login that may not migrate (the real server's hardened deployment).
const store = await KnowledgeStore.open({ driver, embedder: hanging, migrate: mode === "migrate" });
const queue = new IngestionQueue(store, { workerId: "doomed-child", leaseMs: Number(leaseMs) });
await queue.runOnce();

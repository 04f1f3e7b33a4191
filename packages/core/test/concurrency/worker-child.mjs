// A separate ingestion worker process for the concurrency tests: logs in with the runtime URL (no migrations),
// runs two claim loops on the shared queue and prints one line per job it finished. SIGTERM: finish the jobs in
// hand, then exit.
import { createPgDriver, IngestionQueue, KnowledgeStore } from "../../dist/index.js";

const [url, workerId] = process.argv.slice(2);
const driver = await createPgDriver({ connectionString: url, poolConfig: { max: 3 } });
const store = await KnowledgeStore.open({ driver, migrate: false });
const queue = new IngestionQueue(store, { workerId, retryBaseMs: 0, pollIntervalMs: 20 });
let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});
const loop = async () => {
  while (!stopping) {
    const job = await queue.runOnce();
    if (job) process.stdout.write(`JOB ${job.id} ${job.state} ${job.attempts}\n`);
    else await new Promise((r) => setTimeout(r, 20));
  }
};
process.stdout.write("READY\n");
await Promise.all([loop(), loop()]);
await store.close();
await driver.close();

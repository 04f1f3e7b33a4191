// One handler replica for `npm run soak`: its own process, store and pool on the shared Postgres database, the
// offline answer model paced word by word (a fake model: no network). Talks to the orchestrator over IPC:
// "sample" → memory after a full GC and the errors seen; "close" → shuts down cleanly and exits.
import { createServer } from "node:http";
import { createPgDriver, KnowledgeStore, offlineModels } from "@ragkit/core";
import { createRagHandler, toNodeHandler } from "@ragkit/server";

const config = JSON.parse(process.argv[2]);
const errors = [];
const driver = await createPgDriver({
  connectionString: config.runtimeUrl,
  poolConfig: { max: config.pool, idleTimeoutMillis: config.idleMs },
});
const store = await KnowledgeStore.open({ driver, migrate: false });

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** The offline extractive answer, streamed one word per `tokenMs` like a hosted model would. */
const pacedAnswer = async (input) => {
  const deltas = [];
  const out = await offlineModels.answer({ ...input, onDelta: (d) => deltas.push(d) });
  for (const delta of deltas) {
    for (const word of delta.match(/\S*\s*/g)?.filter((w) => w !== "") ?? [delta]) {
      await sleep(config.tokenMs, input.signal);
      if (input.signal?.aborted) throw Object.assign(new Error("aborted"), { name: "AbortError" });
      input.onDelta(word);
    }
  }
  return out;
};

const handler = createRagHandler({
  store,
  auth: { jwtSecret: config.secret },
  ingestion: { worker: false },
  agent: { options: { models: { answer: pacedAnswer }, requireApprovalFor: [] } },
  onError: (error) => errors.push(String(error?.stack ?? error).slice(0, 500)),
});
const server = createServer(toNodeHandler(handler));
server.keepAliveTimeout = 30_000;
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

process.on("message", async (message) => {
  if (message === "sample") {
    globalThis.gc?.();
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    process.send({
      type: "sample",
      rss: m.rss,
      heapUsed: m.heapUsed,
      cpuMs: (cpu.user + cpu.system) / 1000,
      errors: errors.length,
    });
  } else if (message === "close") {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await handler.close();
    await store.close();
    await driver.close();
    process.send({ type: "closed", errors }, () => process.exit(0));
  }
});
process.send({ type: "ready", port: server.address().port, pid: process.pid });

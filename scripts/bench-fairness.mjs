#!/usr/bin/env node
/**
 * What one slow operation does to everyone else on the embedded default (PGlite: one session, statements run
 * synchronously on the Node main thread). For each operation it prints how long it took and the longest
 * event-loop stall while it ran — the longest a `/health` request (served without the database) would wait —
 * and the latency of a short tenant query issued while it ran (it queues behind the operation's transaction).
 *
 *   npm run bench:fairness [-- --chunks 4000] [--unbounded]
 *
 * `--unbounded` also runs the issue-17 5-way join with the SQL tool's bounds off (≈100 s on PGlite): the
 * "before" figure.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  createTenantContext,
  exampleSalesRows,
  KnowledgeStore,
  runReadOnlyQuery,
  seedExampleSales,
} from "@ragkit/core";

const { values } = parseArgs({
  options: { chunks: { type: "string", default: "4000" }, unbounded: { type: "boolean", default: false } },
});
const CHUNKS = Math.max(1, Number(values.chunks));

/** Samples the event loop every 5 ms; returns the longest gap seen while `fn` ran. */
async function stallDuring(fn) {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  let probe = null;
  const probeDone = new Promise((resolve) => {
    // A short query by another tenant, 20 ms into the operation.
    setTimeout(async () => {
      const t = performance.now();
      await store.search(other, { query: "cafeteria soup", topK: 3 });
      probe = performance.now() - t;
      resolve();
    }, 20);
  });
  let error = null;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  const took = performance.now() - started;
  await probeDone;
  clearInterval(timer);
  return { took, worst: Math.max(worst, performance.now() - last), probe, error };
}

const store = await KnowledgeStore.open();
const tenant = createTenantContext({ tenantId: "bench-a", source: "system" });
const other = createTenantContext({ tenantId: "bench-b", source: "system" });
await store.ensureTenant(tenant);
await store.ensureTenant(other);
await store.putDocument(other, {
  title: "Cafeteria",
  text: "The cafeteria serves soup on Mondays.",
  source: "upload",
  chunks: [{ text: "The cafeteria serves soup on Mondays.", start: 0, end: 37 }],
});
await seedExampleSales(store, tenant);
await seedExampleSales(store, other, exampleSalesRows({ year: 2024 }));
await runReadOnlyQuery(store, tenant, "SELECT count(*) FROM sales_view"); // warm: parser, statistics

const sentence = "Quarterly revenue grew in the northern region while costs stayed flat. ";
const body = Array.from({ length: CHUNKS }, (_, i) => `${i}: ${sentence.repeat(6)}`);
let offset = 0;
const chunks = body.map((text) => {
  const c = { text, start: offset, end: offset + text.length };
  offset += text.length;
  return c;
});

const rows = [];
const report = (name, r) => {
  rows.push({
    operation: name,
    "took ms": Math.round(r.took),
    "longest stall ms (/health waits)": Math.round(r.worst),
    "other tenant's search ms": r.probe === null ? "-" : Math.round(r.probe),
    outcome: r.error ? `${r.error.code ?? "error"}: ${String(r.error.message).slice(0, 60)}` : "ok",
  });
};

report(
  `upload, ${CHUNKS} chunks`,
  await stallDuring(() =>
    store.putDocument(tenant, { title: "Big", text: body.join(""), source: "upload", chunks }),
  ),
);
const attack =
  "SELECT count(*) AS n FROM sales_view t0, sales_view t1, sales_view t2, sales_view t3, sales_view t4";
report("SQL tool: 5-way join (bounded)", await stallDuring(() => runReadOnlyQuery(store, tenant, attack)));
report(
  "SQL tool: 4-way join, plan bounds raised",
  await stallDuring(() =>
    runReadOnlyQuery(store, tenant, attack.replace(", sales_view t4", ""), {
      maxCrossJoins: 10,
      maxEstimatedRows: 1e12,
      maxCost: 1e12,
    }),
  ),
);
if (values.unbounded) {
  report(
    "SQL tool: 5-way join, all bounds off (before)",
    await stallDuring(() =>
      runReadOnlyQuery(store, tenant, attack, {
        maxJoinedRelations: 5,
        maxCrossJoins: 10,
        maxEstimatedRows: 1e12,
        maxCost: 1e12,
        timeoutMs: 60_000,
      }),
    ),
  );
}
report(
  "HNSW rebuild (withDeferredVectorIndex)",
  await stallDuring(() => store.withDeferredVectorIndex(async () => {})),
);
console.table(rows);
await store.close();

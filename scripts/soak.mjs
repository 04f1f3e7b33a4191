#!/usr/bin/env node
// Soak: R handler replicas (separate processes, their own pools) on one real Postgres database, S concurrent chat
// streams per replica for T seconds, with the offline answer model paced like a hosted one. Passes when
//   • every stream ends with `done` (status completed) and no replica reports an error;
//   • memory is flat: each replica's heap after a full GC, from the end of the warm-up to the end, grows by less
//     than the bound below (RSS is sampled and printed too; the allocator keeps pages, so it is not the criterion);
//   • connections never exceed R × pool, and once the load stops none is left idle in a transaction and the pools
//     drain to the baseline (pg_stat_activity for the database), before and after the replicas exit. (Between two
//     statements of a live transaction a connection is briefly "idle in transaction": the maximum seen under load
//     is printed, not judged.)
// Usage: npm run soak -- [--seconds 60] [--streams 100] [--replicas 2] [--pool 20] [--token-ms 5] [--json]
// Real Postgres: RAGKIT_TEST_POSTGRES, or started with the shared postgres-pgvector.sh (root needed).
import { fork } from "node:child_process";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createTenantContext, KnowledgeStore } from "@ragkit/core";
import { SignJWT } from "jose";
import pg from "pg";
import { createTestDatabase, setupTestPostgres } from "./lib/postgres.mjs";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    streams: { type: "string", default: "100" },
    replicas: { type: "string", default: "2" },
    pool: { type: "string", default: "20" },
    "token-ms": { type: "string", default: "5" },
    "warmup-seconds": { type: "string", default: "" },
    json: { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const STREAMS = Number(values.streams);
const REPLICAS = Number(values.replicas);
const POOL = Number(values.pool);
// A pool never holds more than POOL clients, but a backend whose client the idle timeout just ended is still in
// pg_stat_activity for a moment while its replacement connects: one such backend per replica is allowed. A
// leak grows past this; the drain checks below (after load, after exit) still require 0.
const CONNECTION_BOUND = REPLICAS * (POOL + 1);
const TOKEN_MS = Number(values["token-ms"]);
const WARMUP_S = values["warmup-seconds"] ? Number(values["warmup-seconds"]) : Math.min(15, SECONDS / 4);
const IDLE_MS = 1000;
/** Heap growth allowed after warm-up: a leak of even ~1 KB per stream over thousands of streams exceeds it. */
const HEAP_GROWTH_BOUND = 16 * 1024 * 1024;
const SECRET = "the-soak-test-secret-of-at-least-32-bytes!!";
const TENANTS = ["soak-a", "soak-b", "soak-c", "soak-d"];
const QUESTIONS = [
  "What is the aurora budget?",
  "How many vacation days do employees get?",
  "When do unused vacation days expire?",
  "What does the warranty cover?",
  "How often can staff work remotely?",
];
const log = values.json ? () => {} : (...a) => console.log(...a);
const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;

const DOCS = {
  "aurora.md":
    "# Aurora\n\nThe aurora project budget is five million euros for the first year.\n\nRisks include currency exposure.",
  "handbook.md":
    "# Handbook\n\nEmployees receive 25 days of paid vacation per year. Unused vacation days expire on March 31.\n\nStaff may work remotely up to three days per week.",
  "warranty.md":
    "# Warranty\n\nEvery device carries a two-year limited warranty covering manufacturing defects.",
};

async function main() {
  const postgres = await setupTestPostgres("soak");
  if (!postgres.info) throw new Error(`the soak needs real Postgres: ${postgres.reason}`);
  const db = await createTestDatabase(postgres.info);
  const admin = new pg.Client({ connectionString: postgres.info.adminUrl });
  await admin.connect();
  const replicas = [];
  try {
    const connections = async () => {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE state = 'idle in transaction')::int AS idle_in_tx
         FROM pg_stat_activity WHERE datname = $1`,
        [db.name],
      );
      return rows[0];
    };
    // Before RagKit opens anything: what the database has without us.
    const baseline = (await connections()).total;
    // Deploy step: migrate as the owner, seed the tenants.
    const setup = await KnowledgeStore.open({
      database: db.runtimeUrl,
      migrationDatabase: db.ownerUrl,
      runtimeRole: postgres.info.runtimeRole,
    });
    for (const tenantId of TENANTS) {
      const ctx = createTenantContext({ tenantId, userId: "seed" });
      await setup.ensureTenant(ctx);
      for (const [title, text] of Object.entries(DOCS)) {
        await setup.putDocument(ctx, { title, text, chunks: chunksOf(text) });
      }
    }
    await setup.close();

    for (let i = 0; i < REPLICAS; i++) replicas.push(await startReplica(db.runtimeUrl));
    const tokens = await Promise.all(TENANTS.map((t, i) => mint(t, `user-${i}`)));
    log(
      `soak: ${REPLICAS} replicas × ${STREAMS} streams × ${SECONDS} s, pool ${POOL}/replica, ${TOKEN_MS} ms/token, Postgres ${db.name}`,
    );

    const samples = [];
    const stats = { completed: 0, failed: 0, failures: [], ttft: [], total: [], tokens: 0 };
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    let maxConnections = 0;
    let idleInTx = 0;
    const sampler = setInterval(async () => {
      const t = (performance.now() - started) / 1000;
      const [mem, conn] = await Promise.all([Promise.all(replicas.map((r) => r.sample())), connections()]);
      maxConnections = Math.max(maxConnections, conn.total);
      idleInTx = Math.max(idleInTx, conn.idle_in_tx);
      samples.push({ t, mem, connections: conn.total });
      log(
        `  t=${t.toFixed(0).padStart(3)} s  streams ${String(stats.completed).padStart(6)}  ` +
          `connections ${String(conn.total).padStart(3)}  ` +
          mem.map((m, i) => `r${i} rss ${mb(m.rss)} heap ${mb(m.heapUsed)}`).join("  "),
      );
    }, 2000);

    await Promise.all(
      replicas.flatMap((replica, r) =>
        Array.from({ length: STREAMS }, (_, c) =>
          client(replica, tokens[(r * STREAMS + c) % tokens.length], deadline, stats),
        ),
      ),
    );
    clearInterval(sampler);
    const elapsed = (performance.now() - started) / 1000;

    // The pools' idle timeout closes what the load opened, with the replicas still running (bounded wait: a
    // client that was never released would keep its connection forever).
    const drained = await settle(connections, baseline);
    const leftInTx = (await connections()).idle_in_tx;
    const final = await Promise.all(replicas.map((r) => r.sample()));
    const cpuMs = final.reduce((sum, m) => sum + m.cpuMs, 0);
    const closed = await Promise.all(replicas.splice(0).map((r) => r.close()));
    const replicaErrors = closed.flatMap((c) => c.errors);
    const afterExit = (await settle(connections, baseline)) ?? (await connections()).total;

    const heapGrowth = final.map((m, i) => {
      const warm = samples.find((s) => s.t >= WARMUP_S) ?? samples[0];
      return m.heapUsed - (warm?.mem[i]?.heapUsed ?? m.heapUsed);
    });
    const rssGrowth = final.map((m, i) => {
      const warm = samples.find((s) => s.t >= WARMUP_S) ?? samples[0];
      return m.rss - (warm?.mem[i]?.rss ?? m.rss);
    });
    const pct = (xs, p) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : Number.NaN;
    };
    const result = {
      replicas: REPLICAS,
      streamsPerReplica: STREAMS,
      seconds: Number(elapsed.toFixed(1)),
      completed: stats.completed,
      streamsPerSecond: Number((stats.completed / elapsed).toFixed(1)),
      failed: stats.failed,
      replicaErrors: replicaErrors.length,
      tokens: stats.tokens,
      // Replica CPU per completed stream: when it times the stream count, the load is CPU-bound.
      replicaCpuMsPerStream: round(cpuMs / Math.max(1, stats.completed)),
      replicaCpuShare: round(cpuMs / (elapsed * 1000 * REPLICAS)),
      ttftMs: { p50: round(pct(stats.ttft, 50)), p99: round(pct(stats.ttft, 99)) },
      streamMs: { p50: round(pct(stats.total, 50)), p99: round(pct(stats.total, 99)) },
      rss: final.map((m, i) => ({ end: mb(m.rss), growthAfterWarmup: mb(rssGrowth[i]) })),
      heapAfterGc: final.map((m, i) => ({ end: mb(m.heapUsed), growthAfterWarmup: mb(heapGrowth[i]) })),
      connections: {
        baseline,
        max: maxConnections,
        bound: CONNECTION_BOUND,
        idleInTransaction: idleInTx,
        drained,
        afterExit,
      },
    };
    const problems = [];
    if (stats.failed > 0)
      problems.push(`${stats.failed} streams failed: ${stats.failures.slice(0, 3).join(" | ")}`);
    if (replicaErrors.length > 0)
      problems.push(`replicas reported ${replicaErrors.length} errors: ${replicaErrors[0]}`);
    if (stats.completed === 0) problems.push("no stream completed");
    heapGrowth.forEach((g, i) => {
      if (g > HEAP_GROWTH_BOUND)
        problems.push(`replica ${i} heap grew ${mb(g)} after warm-up (bound ${mb(HEAP_GROWTH_BOUND)})`);
    });
    if (maxConnections > CONNECTION_BOUND)
      problems.push(`${maxConnections} connections > ${CONNECTION_BOUND}`);
    if (leftInTx > 0) problems.push(`${leftInTx} connections left idle in a transaction after the load`);
    if (drained === null) problems.push("the pools did not drain to the baseline after the load");
    if (afterExit !== baseline)
      problems.push(`${afterExit} connections after the replicas exited (baseline ${baseline})`);
    result.ok = problems.length === 0;
    result.problems = problems;
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      log(
        `\n${stats.completed} streams in ${elapsed.toFixed(1)} s (${result.streamsPerSecond}/s), ${stats.tokens} tokens`,
      );
      log(
        `replica CPU ${result.replicaCpuMsPerStream} ms per stream; each replica busy ${Math.round(result.replicaCpuShare * 100)} % of the run`,
      );
      log(
        `TTFT p50 ${result.ttftMs.p50} ms p99 ${result.ttftMs.p99} ms; stream p50 ${result.streamMs.p50} ms p99 ${result.streamMs.p99} ms`,
      );
      result.heapAfterGc.forEach((h, i) => {
        log(
          `replica ${i}: heap after GC ${h.end} (${h.growthAfterWarmup} since warm-up), rss ${result.rss[i].end} (${result.rss[i].growthAfterWarmup})`,
        );
      });
      log(
        `connections: baseline ${baseline}, max ${maxConnections} (bound ${CONNECTION_BOUND}), idle in transaction under load ≤ ${idleInTx} and after it ${leftInTx}, after load ${drained ?? "not drained"}, after exit ${afterExit}`,
      );
      log(result.ok ? "soak: PASS" : `soak: FAIL\n  - ${problems.join("\n  - ")}`);
    }
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await Promise.allSettled(replicas.map((r) => r.close()));
    await admin.end();
    await db.drop().catch(() => {});
    await postgres.teardown();
  }
}

/** Polls until the database is back to `baseline` connections (returns the count) or 10 s pass (null). */
async function settle(connections, baseline) {
  for (let i = 0; i < 40; i++) {
    const c = await connections();
    if (c.total <= baseline) return c.total;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

function round(x) {
  return Number.isFinite(x) ? Number(x.toFixed(1)) : null;
}

function chunksOf(text) {
  const chunks = [];
  let offset = 0;
  for (const part of text.split("\n\n")) {
    const start = text.indexOf(part, offset);
    chunks.push({ text: part, start, end: start + part.length });
    offset = start + part.length;
  }
  return chunks;
}

function mint(tenantId, sub) {
  return new SignJWT({ tenant_id: tenantId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setSubject(sub)
    .setAudience("authenticated")
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
    .sign(new TextEncoder().encode(SECRET));
}

function startReplica(runtimeUrl) {
  const child = fork(
    join(import.meta.dirname, "soak-replica.mjs"),
    [JSON.stringify({ runtimeUrl, pool: POOL, idleMs: IDLE_MS, tokenMs: TOKEN_MS, secret: SECRET })],
    { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const waiters = { sample: [], closed: [] };
  const request = (message) =>
    new Promise((resolve) => {
      waiters[message === "close" ? "closed" : "sample"].push(resolve);
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`replica exited with ${code} before it was ready`)));
    child.on("message", (m) => {
      if (m.type === "ready") {
        child.removeAllListeners("exit");
        resolve({
          url: `http://127.0.0.1:${m.port}`,
          agent: new Agent({ keepAlive: true, maxSockets: STREAMS }),
          sample: () => request("sample"),
          close: () => (child.exitCode !== null ? Promise.resolve({ errors: [] }) : request("close")),
        });
      } else waiters[m.type]?.shift()?.(m);
    });
  });
}

/** One simulated user: asks, reads the SSE stream to its end, follows up on the same thread a few times. */
async function client(replica, token, deadline, stats) {
  let threadId;
  let turn = 0;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    const question = QUESTIONS[(turn + stats.completed) % QUESTIONS.length];
    try {
      const body = JSON.stringify(threadId ? { message: question, threadId } : { message: question });
      const { status, headers, first, done, tokens, text } = await chat(replica, token, body, t0);
      if (status !== 200) throw new Error(`HTTP ${status}: ${text.slice(0, 200)}`);
      threadId = headers["x-thread-id"];
      if (!done) throw new Error("the stream ended without a done event");
      if (done.status !== "completed") throw new Error(`run ended ${done.status}`);
      stats.completed++;
      stats.tokens += tokens;
      if (first !== null) stats.ttft.push(first);
      stats.total.push(performance.now() - t0);
    } catch (error) {
      stats.failed++;
      if (stats.failures.length < 10) stats.failures.push(String(error?.message ?? error));
      threadId = undefined;
    }
    turn = (turn + 1) % 4;
    if (turn === 0) threadId = undefined;
  }
}

/**
 * POST /chat/stream over node:http with a keep-alive agent (cheaper per stream than fetch, so the load
 * generator leaves the CPU to the replicas), parsing SSE frames as they arrive.
 */
function chat(replica, token, body, t0) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${replica.url}/chat/stream`,
      {
        method: "POST",
        agent: replica.agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.setEncoding("utf8");
        let buffer = "";
        let text = "";
        let first = null;
        let done = null;
        let tokens = 0;
        let failure = null;
        res.on("data", (chunk) => {
          if (res.statusCode !== 200) {
            text += chunk;
            return;
          }
          buffer += chunk;
          let cut = buffer.indexOf("\n\n");
          while (cut !== -1) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (frame.startsWith("event: token") || frame.includes("\nevent: token")) {
              tokens++;
              if (first === null) first = performance.now() - t0;
            } else if (/^event: (done|error)$/m.test(frame)) {
              const data = /^data: (.*)$/m.exec(frame)?.[1] ?? "{}";
              if (frame.includes("event: error")) failure ??= new Error(`error event: ${data.slice(0, 200)}`);
              else done = JSON.parse(data);
            }
            cut = buffer.indexOf("\n\n");
          }
        });
        res.on("end", () =>
          failure
            ? reject(failure)
            : resolve({ status: res.statusCode, headers: res.headers, first, done, tokens, text }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

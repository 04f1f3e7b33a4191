#!/usr/bin/env node
// Streaming-server benchmark. A fake model streams tokens at a fixed rate over loopback HTTP (SSE); the RagKit
// agent's answer step reads it. Measures, on 127.0.0.1:
//   1. time-to-first-token (TTFT) of the raw model stream vs through @ragkit/server (POST /chat/stream, plain
//      SSE; and POST /copilotkit/agent/ragkit/run, AG-UI), p50/p95 → the added TTFT;
//   2. sustained concurrent streams (default 200 clients): completed streams/s and latency p50/p99;
//   3. the same agent hosted in @copilotkit/runtime/v2 (CopilotRuntime({agents}) + createCopilotRuntimeHandler),
//      same measurements, and the ratios;
//   4. import time of @ragkit/server vs @copilotkit/runtime/v2 (fresh Node processes, median);
//   5. the agent alone (agent.stream in this process, no HTTP): what of the added TTFT is the agent's own work.
// Each of 1–3 runs once per store kind (--driver): embedded PGlite (one session) and real PostgreSQL 15 +
// pgvector with a pool of --pool connections (RAGKIT_TEST_POSTGRES, or a throwaway server started here), and
// the figures are printed side by side with the machine's load average.
// Usage: npm run bench:server -- [--driver pglite,postgres] [--pool 20] [--tokens 32] [--token-ms 5]
//        [--samples 30] [--clients 200] [--seconds 10] [--durability sync|async] [--json]
process.env.COPILOTKIT_TELEMETRY_DISABLED = "true";

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  describeLoad,
  loadContext,
  openBenchStore,
  parseDrivers,
  pct,
  stopBenchPostgres,
} from "./lib/bench.mjs";

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "32" },
    "token-ms": { type: "string", default: "5" },
    samples: { type: "string", default: "30" },
    clients: { type: "string", default: "200" },
    seconds: { type: "string", default: "10" },
    "import-runs": { type: "string", default: "5" },
    driver: { type: "string", default: "pglite,postgres" },
    pool: { type: "string", default: "20" },
    // The agent's checkpoint durability (RagAgentOptions.durability): "sync" is the agent's default.
    durability: { type: "string", default: "sync" },
    json: { type: "boolean", default: false },
  },
});
const DRIVERS = parseDrivers(values.driver);
const POOL = Number(values.pool);
const TOKENS = Number(values.tokens);
const TOKEN_MS = Number(values["token-ms"]);
const SAMPLES = Number(values.samples);
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const log = values.json ? () => {} : (...a) => console.log(...a);

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const serverDir = join(root, "packages/server");

/** Resolves a package's ESM entry the way Node would from packages/server (devDeps live there). */
function resolveFrom(dir, specifier) {
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const sub = `.${specifier.slice(name.length)}`;
  for (let d = dir; ; d = dirname(d)) {
    const pkgDir = join(d, "node_modules", name);
    if (existsSync(join(pkgDir, "package.json"))) {
      const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
      const exp = pkg.exports;
      const entry =
        exp === undefined
          ? pkg.main
          : typeof exp === "string" || !(sub in exp || "." in exp)
            ? exp
            : exp[sub];
      return pathToFileURL(join(pkgDir, pickCondition(entry) ?? pkg.main ?? "index.js")).href;
    }
    if (d === dirname(d)) throw new Error(`cannot resolve ${specifier}`);
  }
}
/** Node's condition order for `import()`: node, import, default (recursively). */
function pickCondition(entry) {
  if (typeof entry === "string" || entry === undefined || entry === null) return entry ?? undefined;
  for (const key of ["node", "import", "default"]) if (key in entry) return pickCondition(entry[key]);
  return undefined;
}
const importFrom = (specifier) => import(resolveFrom(serverDir, specifier));

const { createTenantContext, createRagAgent, offlineModels } = await importFrom("@ragkit/core");
const { createRagHandler, toNodeHandler, toAguiEvents } = await importFrom("@ragkit/server");
const { createParser } = await importFrom("eventsource-parser");
const { SignJWT } = await importFrom("jose");

// ---- helpers ------------------------------------------------------------------------------------------------
const ms = (x) => `${x.toFixed(1)} ms`;

function listen(handler) {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

/**
 * Streams a request; returns the time to the first frame matching `isToken` and to the end of the stream.
 * Uses fetch (undici) with eventsource-parser, like a browser client would.
 */
async function timeStream(url, init, isToken) {
  const t0 = performance.now();
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  let first = Number.NaN;
  let tokens = 0;
  const parser = createParser({
    onEvent: (m) => {
      if (isToken(m)) {
        tokens++;
        if (Number.isNaN(first)) first = performance.now() - t0;
      }
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
  return { ttft: first, total: performance.now() - t0, tokens };
}

// ---- the fake model ---------------------------------------------------------------------------------------
const words = Array.from({ length: TOKENS }, (_, i) =>
  i === 0 ? "The " : i === TOKENS - 1 ? "[1]." : `word${i} `,
);
const model = await listen((req, res) => {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  let i = 0;
  const timer = setInterval(() => {
    if (i < words.length) res.write(`data: ${JSON.stringify({ token: words[i++] })}\n\n`);
    else {
      clearInterval(timer);
      res.end("data: [DONE]\n\n");
    }
  }, TOKEN_MS);
  req.on("close", () => clearInterval(timer));
});
const isModelToken = (m) => m.data !== "[DONE]";

/** The agent's answer step backed by the fake model: one streamed HTTP call per answer. */
const models = {
  async answer(input) {
    const res = await fetch(model.url, { signal: input.signal });
    let text = "";
    const parser = createParser({
      onEvent: (m) => {
        if (m.data === "[DONE]") return;
        const { token } = JSON.parse(m.data);
        text += token;
        input.onDelta(token);
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
    const p = input.passages[0];
    const citations = p
      ? [
          {
            marker: 1,
            chunkId: p.chunkId,
            documentId: p.documentId,
            documentTitle: p.documentTitle,
            start: p.start,
            end: p.end,
            quote: p.text.slice(0, 200),
            pageNumber: p.pageNumber,
          },
        ]
      : [];
    return { text, citations, kind: "generative" };
  },
};

// ---- the agent's tenant, documents and options -------------------------------------------------------------------
const tenant = createTenantContext({ tenantId: "bench", userId: "bench", source: "system" });
const question = "What is the aurora budget?";
if (values.durability !== "sync" && values.durability !== "async") {
  throw new Error(`--durability: sync or async, not "${values.durability}"`);
}
const agentOptions = {
  models: { ...offlineModels, ...models },
  requireApprovalFor: [],
  durability: values.durability,
};
const SECRET = "bench-secret-that-is-at-least-32-bytes-long!";
const token = await new SignJWT({ tenant_id: "bench" })
  .setProtectedHeader({ alg: "HS256" })
  .setSubject("bench")
  .setAudience("authenticated")
  .setExpirationTime("1h")
  .sign(new TextEncoder().encode(SECRET));
const headers = {
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
  accept: "text/event-stream",
};
const { AbstractAgent } = await importFrom("@ag-ui/client");
const { Observable } = await importFrom("rxjs");
const { CopilotRuntime, createCopilotRuntimeHandler } = await importFrom("@copilotkit/runtime/v2");

async function seed(store) {
  await store.ensureTenant(tenant);
  for (const [title, body] of [
    ["Aurora budget", "The aurora project budget is five million euros for the first year."],
    ["Leave policy", "Employees get twenty five days of paid leave per year."],
    ["Security", "Passwords must be rotated every ninety days."],
  ]) {
    await store.putDocument(tenant, {
      title,
      text: body,
      source: "upload",
      chunks: [{ text: body, start: 0, end: body.length }],
    });
  }
}

/** @ragkit/server and @copilotkit/runtime/v2 hosting the same agent on `store`, listening on loopback. */
async function hosts(store) {
  const ragkit = createRagHandler({ store, auth: { jwtSecret: SECRET }, agent: { options: agentOptions } });
  const ours = await listen(toNodeHandler(ragkit));
  const sharedAgent = createRagAgent({ ...agentOptions, store });

  /** The RagKit agent as an AG-UI AbstractAgent (fixed bench tenant: CopilotKit's runtime has no auth of its own). */
  class RagKitAguiAgent extends AbstractAgent {
    run(input) {
      return new Observable((subscriber) => {
        const controller = new AbortController();
        const last = [...input.messages].reverse().find((m) => m.role === "user");
        const message = typeof last?.content === "string" ? last.content : "";
        (async () => {
          const events = sharedAgent.stream(message, {
            tenant,
            threadId: input.threadId,
            runId: input.runId,
            signal: controller.signal,
          });
          const ids = { threadId: input.threadId, runId: input.runId };
          for await (const e of toAguiEvents(events, ids, { messages: input.messages })) {
            subscriber.next(e);
          }
          subscriber.complete();
        })().catch((error) => subscriber.error(error));
        return () => controller.abort();
      });
    }
    clone() {
      return new RagKitAguiAgent({ agentId: this.agentId, description: this.description });
    }
  }
  const copilotHandler = createCopilotRuntimeHandler({
    runtime: new CopilotRuntime({ agents: { ragkit: new RagKitAguiAgent({ agentId: "ragkit" }) } }),
    basePath: "/copilotkit",
  });
  const theirs = await listen(toNodeHandler(copilotHandler));
  return {
    ours,
    theirs,
    sharedAgent,
    close: async () => {
      for (const s of [ours, theirs]) s.server.closeAllConnections?.();
      await Promise.all([ours, theirs].map((s) => new Promise((r) => s.server.close(r))));
      await ragkit.close();
    },
  };
}

// ---- requests -------------------------------------------------------------------------------------------------
const isChatToken = (m) => m.event === "token";
const isAguiToken = (m) => m.data.includes('"TEXT_MESSAGE_CONTENT"');
const aguiBody = () =>
  JSON.stringify({
    threadId: crypto.randomUUID(),
    runId: crypto.randomUUID(),
    messages: [{ id: crypto.randomUUID(), role: "user", content: question }],
    tools: [],
    context: [],
    state: {},
    forwardedProps: {},
  });

/** The agent alone, in this process: time to its first text delta and to the end of the run. */
async function timeAgent(agent) {
  const t0 = performance.now();
  let first = Number.NaN;
  let tokens = 0;
  for await (const e of agent.stream(question, { tenant, threadId: crypto.randomUUID() })) {
    if (e.type === "text_delta") {
      tokens++;
      if (Number.isNaN(first)) first = performance.now() - t0;
    }
    if (e.type === "run_error") throw new Error(`agent: ${e.code} ${e.message}`);
  }
  return { ttft: first, total: performance.now() - t0, tokens };
}

function targetsOf(h) {
  return {
    raw: () => timeStream(model.url, {}, isModelToken),
    agent: () => timeAgent(h.sharedAgent),
    chat: () =>
      timeStream(
        `${h.ours.url}/chat/stream`,
        { method: "POST", headers, body: JSON.stringify({ message: question }) },
        isChatToken,
      ),
    aguiOurs: () =>
      timeStream(
        `${h.ours.url}/copilotkit/agent/ragkit/run`,
        { method: "POST", headers, body: aguiBody() },
        isAguiToken,
      ),
    aguiCopilotKit: () =>
      timeStream(
        `${h.theirs.url}/copilotkit/agent/ragkit/run`,
        { method: "POST", headers, body: aguiBody() },
        isAguiToken,
      ),
  };
}
const labels = {
  raw: "raw model stream",
  agent: "the agent alone (agent.stream, no HTTP)",
  chat: "@ragkit/server POST /chat/stream",
  aguiOurs: "@ragkit/server AG-UI /agent/:id/run",
  aguiCopilotKit: "@copilotkit/runtime/v2 AG-UI /agent/:id/run",
};

async function sequential(run, name, counter) {
  for (let i = 0; i < 3; i++) await run(); // warm-up
  const ttft = [];
  const statementsBefore = counter.statements;
  for (let i = 0; i < SAMPLES; i++) {
    const r = await run();
    // The agent alone sees the answer model's deltas, which the fake model sends one per token too.
    if (r.tokens !== TOKENS) throw new Error(`${name}: expected ${TOKENS} tokens, got ${r.tokens}`);
    ttft.push(r.ttft);
  }
  // Statements the store sent per run (a sequential run's own; a run's last writes may land just after it).
  const statements = (counter.statements - statementsBefore) / SAMPLES;
  return { p50: pct(ttft, 50), p95: pct(ttft, 95), statementsPerRun: Number(statements.toFixed(1)) };
}

async function concurrent(run) {
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        try {
          const r = await run();
          latencies.push(r.total);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return {
    rps: latencies.length / elapsed,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    completed: latencies.length,
    errors,
  };
}

function importTime(specifier) {
  const url = resolveFrom(serverDir, specifier);
  const times = [];
  for (let i = 0; i < Number(values["import-runs"]); i++) {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const t=performance.now();await import(${JSON.stringify(url)});console.log(performance.now()-t)`,
      ],
      { env: { ...process.env, COPILOTKIT_TELEMETRY_DISABLED: "true" }, encoding: "utf8" },
    );
    times.push(Number(out.trim().split("\n").at(-1)));
  }
  return pct(times, 50);
}

/** Every measurement on one store kind. */
async function suite(kind) {
  const counter = { statements: 0 };
  const opened = await openBenchStore(kind, { pool: POOL, counter });
  const h = await hosts(opened.store);
  const result = { driver: kind, pool: kind === "postgres" ? POOL : null, ttft: {}, load: {}, machine: {} };
  try {
    await seed(opened.store);
    const targets = targetsOf(h);
    log(`\n== ${kind === "postgres" ? `real PostgreSQL, pool ${POOL}` : "embedded PGlite"}`);
    result.machine.before = loadContext();
    for (const name of Object.keys(targets)) {
      result.ttft[name] = await sequential(targets[name], name, counter);
      const t = result.ttft[name];
      log(
        `TTFT ${labels[name].padEnd(46)} p50 ${ms(t.p50)}  p95 ${ms(t.p95)}` +
          (name === "raw" ? "" : `  (${t.statementsPerRun} statements per run)`),
      );
    }
    for (const name of ["agent", "chat", "aguiOurs", "aguiCopilotKit"]) {
      const t = result.ttft[name];
      t.addedP50 = t.p50 - result.ttft.raw.p50;
      t.addedP95 = t.p95 - result.ttft.raw.p95;
      log(
        `added TTFT over the raw stream, ${labels[name].padEnd(46)} p50 ${ms(t.addedP50)}  p95 ${ms(t.addedP95)}`,
      );
    }
    result.machine.afterTtft = loadContext();
    for (const name of ["raw", "chat", "aguiOurs", "aguiCopilotKit"]) {
      result.load[name] = await concurrent(targets[name]);
      const l = result.load[name];
      log(
        `${CLIENTS} concurrent: ${labels[name].padEnd(46)} ${l.rps.toFixed(1)} streams/s  p50 ${ms(l.p50)}  p99 ${ms(l.p99)}  (${l.completed} ok, ${l.errors} errors)`,
      );
    }
    result.machine.after = loadContext();
    result.ratio = {
      ttftP50: result.ttft.aguiOurs.p50 / result.ttft.aguiCopilotKit.p50,
      throughput: result.load.aguiOurs.rps / result.load.aguiCopilotKit.rps,
      p99: result.load.aguiOurs.p99 / result.load.aguiCopilotKit.p99,
    };
    log(
      `ratio @ragkit/server / @copilotkit/runtime (same agent, AG-UI): TTFT p50 ×${result.ratio.ttftP50.toFixed(2)}, ` +
        `throughput ×${result.ratio.throughput.toFixed(2)}, p99 ×${result.ratio.p99.toFixed(2)}  ` +
        `(${describeLoad(result.machine.before)} → ${describeLoad(result.machine.after)})`,
    );
  } finally {
    await h.close();
    await opened.close();
  }
  return result;
}

// ---- run --------------------------------------------------------------------------------------------------------
log(
  `fake model: ${TOKENS} tokens every ${TOKEN_MS} ms; ${SAMPLES} sequential samples; ${CLIENTS} clients for ${SECONDS} s; ` +
    `checkpoint durability ${values.durability}; ${describeLoad(loadContext())}`,
);
const results = {
  config: { tokens: TOKENS, tokenMs: TOKEN_MS, samples: SAMPLES, clients: CLIENTS, seconds: SECONDS },
  runs: [],
};
for (const kind of DRIVERS) results.runs.push(await suite(kind));

if (results.runs.length > 1) {
  const cols = results.runs.map((r) => (r.driver === "postgres" ? `Postgres (pool ${r.pool})` : "PGlite"));
  const row = (label, f) => log(`${label.padEnd(58)}${results.runs.map((r) => f(r).padStart(24)).join("")}`);
  log(`\n${"side by side".padEnd(58)}${cols.map((c) => c.padStart(24)).join("")}`);
  for (const name of ["agent", "chat", "aguiOurs", "aguiCopilotKit"]) {
    row(
      `added TTFT p50 / p95, ${labels[name]}`,
      (r) => `${r.ttft[name].addedP50.toFixed(1)} / ${r.ttft[name].addedP95.toFixed(1)} ms`,
    );
  }
  for (const name of ["chat", "aguiOurs", "aguiCopilotKit"]) {
    row(`streams/s, ${labels[name]}`, (r) => r.load[name].rps.toFixed(1));
  }
  row("throughput ratio RagKit / CopilotKit (AG-UI)", (r) => `×${r.ratio.throughput.toFixed(2)}`);
  row("load average before → after", (r) => `${r.machine.before.load1} → ${r.machine.after.load1}`);
}
results.importMs = {
  ragkitServer: importTime("@ragkit/server"),
  copilotkitRuntimeV2: importTime("@copilotkit/runtime/v2"),
};
log(
  `import time (median, fresh process): @ragkit/server ${ms(results.importMs.ragkitServer)}, @copilotkit/runtime/v2 ${ms(results.importMs.copilotkitRuntimeV2)}`,
);
if (values.json) console.log(JSON.stringify(results, null, 2));

await stopBenchPostgres();
model.server.closeAllConnections?.();
await new Promise((r) => model.server.close(r));
process.exit(0);

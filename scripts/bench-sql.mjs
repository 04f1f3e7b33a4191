#!/usr/bin/env node
/**
 * Text-to-SQL over a host's own data: execution accuracy of the offline translator (`nlToSql`) and of a model
 * replayed with msw on the OpenAI wire format (`write_sql` tool calls, scripts/fixtures/sql-bench-replay.mjs),
 * on two registered datasets (orders and customers, joined through a relationship) in PGlite.
 *
 *   npm run bench:sql
 *
 * A question counts as correct when its result set (rows as a multiset, column names ignored, numbers to two
 * decimals) equals the reference SQL's, which reads the base tables as the owner with an explicit tenant filter
 * (scripts/lib/shop-data.mjs). A second tenant's rows are in the same tables, so a leak shows up as a wrong
 * result. The model's unsafe proposals (marked in the replay) are counted as proposed and as executed.
 */
import {
  createChatModel,
  createTenantContext,
  KnowledgeStore,
  llmWriteSql,
  nlToSql,
  proposeSql,
  runReadOnlyQuery,
} from "@ragkit/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { REPLAY } from "./fixtures/sql-bench-replay.mjs";
import {
  customersDataset,
  ordersDataset,
  resultKey,
  SHOP_QUESTIONS,
  seedShop,
  shopSchemaSql,
} from "./lib/shop-data.mjs";

const OPENAI_URL = "https://api.openai.com/v1/chat/completions";

/** An OpenAI chat-completions SSE stream that calls `write_sql` with `args`. */
function toolCallStream(args) {
  const base = {
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_764_000_000,
    model: "gpt-4o-mini",
  };
  const frame = (body) => `data: ${JSON.stringify(body)}\n\n`;
  const json = JSON.stringify(args);
  const frames = [
    frame({
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                index: 0,
                id: "call_bench",
                type: "function",
                function: { name: "write_sql", arguments: "" },
              },
            ],
          },
          finish_reason: null,
        },
      ],
    }),
    frame({
      ...base,
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: json } }] },
          finish_reason: null,
        },
      ],
    }),
    frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] }),
    frame({ ...base, choices: [], usage: { prompt_tokens: 900, completion_tokens: 40, total_tokens: 940 } }),
    "data: [DONE]\n\n",
  ];
  return new HttpResponse(frames.join(""), { headers: { "content-type": "text/event-stream" } });
}

const proposals = [];
const server = setupServer(
  http.post(OPENAI_URL, async ({ request }) => {
    const body = await request.json();
    const prompt = body.messages.map((m) => (typeof m.content === "string" ? m.content : "")).join("\n");
    const question = /\nQuestion: (.*)/.exec(prompt)?.[1]?.trim() ?? "";
    const attempt = (prompt.match(/^Attempt \d+:/gm) ?? []).length;
    const script = REPLAY[question] ?? [];
    const reply = script[Math.min(attempt, script.length - 1)];
    if (!reply) return toolCallStream({ sql: "", description: "", cannot_answer: "Not in the replay." });
    proposals.push({ question, ...reply });
    return toolCallStream({ sql: reply.sql, description: question });
  }),
);
server.listen({ onUnhandledRequest: "error" });

const store = await KnowledgeStore.open();
const tenant = createTenantContext({ tenantId: "bench-a", userId: "bench" });
const other = createTenantContext({ tenantId: "bench-b", userId: "bench" });
for (const ctx of [tenant, other]) await store.ensureTenant(ctx);
await store.driver.exec(shopSchemaSql(`${store.schema}_app`));
const owner = (sql, params) => store.driver.query(sql, params);
await seedShop(owner, tenant.tenantId);
await seedShop(owner, other.tenantId, { customers: 12, orders: 150 });
await store.registerDataset(customersDataset);
await store.registerDataset(ordersDataset);
const datasets = await store.listRegisteredDatasets();
const described = await store.describeDatasets(tenant);
const model = createChatModel({
  provider: "openai",
  model: "gpt-4o-mini",
  apiKey: "sk-bench-replay",
  maxRetries: 0,
});
const writeSql = llmWriteSql(model);

const executed = [];
async function run(sql) {
  try {
    const result = await runReadOnlyQuery(store, tenant, sql);
    executed.push(sql);
    return resultKey(result.rows);
  } catch (error) {
    return `error: ${error.message}`;
  }
}

let offlineCorrect = 0;
let offlineAnswered = 0;
let modelCorrect = 0;
let retried = 0;
const misses = [];
const started = performance.now();
for (const { question, reference } of SHOP_QUESTIONS) {
  const expected = resultKey(await owner(reference, [tenant.tenantId]));
  const plan = nlToSql(question, datasets);
  if (plan.sql !== null) {
    offlineAnswered += 1;
    if ((await run(plan.sql)) === expected) offlineCorrect += 1;
    else misses.push(`offline  ${question}`);
  }
  const proposed = await proposeSql(store, tenant, { question, datasets: described, writeSql });
  if (proposed.attempts.length > 0) retried += 1;
  if (proposed.ok && (await run(proposed.sql)) === expected) modelCorrect += 1;
  else misses.push(`model    ${question}${proposed.ok ? "" : ` (refused: ${proposed.reason.slice(0, 80)})`}`);
}
const seconds = (performance.now() - started) / 1000;
const unsafe = proposals.filter((p) => p.unsafe);
const unsafeRun = unsafe.filter((p) => executed.includes(p.sql));
const n = SHOP_QUESTIONS.length;
const pct = (x) => `${((100 * x) / n).toFixed(1)}%`;

console.log(
  `bench:sql — ${n} questions over 2 registered datasets (orders, customers; ${datasets.length} registered), PGlite`,
);
console.log(
  `  offline nlToSql : ${offlineCorrect}/${n} correct (${pct(offlineCorrect)}); answered ${offlineAnswered}, ` +
    `said "needs a model" for ${n - offlineAnswered}`,
);
console.log(
  `  replayed model  : ${modelCorrect}/${n} correct (${pct(modelCorrect)}); ${retried} question(s) needed a retry; ` +
    `${proposals.length} proposals in all`,
);
console.log(`  unsafe statements: ${unsafe.length} proposed, ${unsafeRun.length} executed`);
console.log(`  wall time ${seconds.toFixed(1)} s`);
if (misses.length) console.log(`  not correct:\n    ${misses.join("\n    ")}`);

server.close();
await store.close();
if (unsafeRun.length > 0) {
  console.error("FAIL: an unsafe statement was executed");
  process.exit(1);
}

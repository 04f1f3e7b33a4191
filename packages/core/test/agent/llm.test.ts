import { MemorySaver } from "@langchain/langgraph";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AgentEvent, type AgentEventOf, agentEventSchema } from "../../src/agent/events.js";
import { createRagAgent, type RagAgent } from "../../src/agent/graph.js";
import { createLlmModels } from "../../src/agent/llm/index.js";
import { createAgentTools, runToolCall } from "../../src/agent/tools.js";
import { RagKitError } from "../../src/errors/index.js";
import { ingestDocument } from "../../src/ingest/pipeline.js";
import type { SearchInput } from "../../src/search/types.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import { exampleSalesRows, seedExampleSales } from "../../src/tools/sql/example-data.js";
import { startDatabase, type TestDatabase } from "../support/databases.js";
import { ACME_DOCS, GLOBEX_DOCS } from "./fixtures.js";
import {
  chatModel,
  fakeLlm,
  markerOf,
  type Provider,
  type Reply,
  type Role,
  type Script,
} from "./llm-fake.js";

let db: TestDatabase;
let store: KnowledgeStore;
const acme = createTenantContext({ tenantId: "acme", userId: "alice", source: "test" });
const globex = createTenantContext({ tenantId: "globex", userId: "bob", source: "test" });
const docIds = new Map<string, Set<string>>([
  ["acme", new Set()],
  ["globex", new Set()],
]);

const server = setupServer();
beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  db = await startDatabase("pglite");
  store = await KnowledgeStore.open({ driver: db.driver });
  for (const [ctx, docs] of [
    [acme, ACME_DOCS],
    [globex, GLOBEX_DOCS],
  ] as const) {
    await store.ensureTenant(ctx);
    for (const [filename, text] of Object.entries(docs)) {
      const r = await ingestDocument(store, ctx, { data: Buffer.from(text), filename });
      docIds.get(ctx.tenantId)!.add(r.document.id);
    }
  }
  await seedExampleSales(store, acme, exampleSalesRows({ scale: 1, regions: ["North", "South"] }));
  await seedExampleSales(store, globex, exampleSalesRows({ scale: 3, regions: ["East", "Coast"] }));
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await store?.close();
  await db?.stop();
});

const QUESTION = "What is the refund window for annual plans?";
const FACT = "refunded in full within 30 days";

/** A well-behaved model for every role (OpenAI or Anthropic wire format). */
function happyScript(): Script {
  return {
    analyze: {
      text: '{"intent":"factual","needs_retrieval":true,"entities":["refund window","annual plans"],"follow_up":false}',
    },
    rewrite: {
      text: JSON.stringify({
        standalone: QUESTION,
        variations: ["annual plan refund period"],
        hypothetical_answer: "Annual plans can be refunded within 30 days of purchase.",
      }),
    },
    rerank: (prompt) => ({
      text: JSON.stringify({
        scores: [...prompt.matchAll(/<passage id="(\d+)">\n([^<]*)/g)].map((m) => ({
          id: Number(m[1]),
          score: /refund/i.test(m[2]!) ? 9 : 1,
        })),
      }),
    }),
    generate: (prompt) => ({
      text: `Annual plans can be ${FACT} of purchase [${markerOf(prompt, FACT) ?? 99}].`,
    }),
    validate: { text: '{"claims":[{"index":1,"verdict":"supported","reason":"stated in [1]"}]}' },
    respond: { text: "Hello! Ask me about your documents." },
  };
}

function agentFor(provider: Provider, options: { maxRetries?: number; timeoutMs?: number } = {}): RagAgent {
  const model = chatModel(provider, options);
  // A low threshold so the reranker runs on the seeded corpus.
  return createRagAgent({ store, models: createLlmModels({ default: model }), rerankThreshold: 1 });
}

async function collect(stream: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const e of stream) events.push(agentEventSchema.parse(e));
  return events;
}
const of = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is AgentEventOf<T> => e.type === type);
const textOf = (events: AgentEvent[]) =>
  of(events, "text_delta")
    .map((e) => e.delta)
    .join("");
const last = (events: AgentEvent[]) => events.at(-1)!;
const thoughts = (events: AgentEvent[]) => of(events, "thought").map((e) => e.text);

async function expectVerbatim(tenant: TenantContext, citations: AgentEventOf<"run_finished">["citations"]) {
  expect(citations.length).toBeGreaterThan(0);
  for (const c of citations) {
    expect(docIds.get(tenant.tenantId)!.has(c.documentId)).toBe(true);
    const { text } = await store.getDocumentText(tenant, c.documentId);
    expect(text.slice(c.start, c.end)).toBe(c.quote);
  }
}

describe.each(["openai", "anthropic"] as const)("LLM-backed agent over %s", (provider) => {
  it("answers with every role on the model: streamed, cited, judged, usage summed and recorded", async () => {
    const fake = fakeLlm(provider, happyScript);
    server.use(fake.handler);
    const threadId = `happy-${provider}`;
    const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme, threadId }));
    const done = last(events);
    expect(done.type).toBe("run_finished");
    if (done.type !== "run_finished") return;
    expect(done.answerKind).toBe("generative");
    expect(done.answer).toContain(FACT);
    expect(textOf(events)).toBe(done.answer);
    expect(of(events, "text_delta").length).toBeGreaterThan(3);
    await expectVerbatim(acme, done.citations);
    expect(done.citations[0]!.quote).toContain(FACT);
    expect(done.validation?.status).toBe("supported");
    expect(fake.requests.map((r) => r.role)).toEqual([
      "analyze",
      "rewrite",
      "rerank",
      "generate",
      "validate",
    ]);
    // The generate call could search again: it was offered the tool.
    expect(fake.requests.find((r) => r.role === "generate")!.hasTools).toBe(true);
    expect(done.usage).toMatchObject({ calls: 5, inputTokens: 500, outputTokens: 50, totalTokens: 550 });
    expect(done.usage!.byRole.map((u) => u.role)).toEqual([
      "analyze",
      "rewrite",
      "rerank",
      "generate",
      "validate",
    ]);
    const rows = await store.withTenant(acme, (tx) =>
      tx.query<{
        kind: string;
        model: string;
        prompt_tokens: string;
        output_tokens: string;
        thread_id: string;
      }>(
        `SELECT kind, model, prompt_tokens::text, output_tokens::text, thread_id FROM ${store.schema}.usage_records
         WHERE run_id = $1 ORDER BY id`,
        [done.runId],
      ),
    );
    expect(rows.map((r) => r.kind)).toEqual([
      "agent_analyze",
      "agent_rewrite",
      "agent_rerank",
      "agent_generate",
      "agent_validate",
    ]);
    expect(rows[0]).toMatchObject({ prompt_tokens: "100", output_tokens: "10", thread_id: threadId });
    expect(rows[0]!.model).toBe(provider === "openai" ? "gpt-4o-mini" : "claude-haiku-4-5");
    // Tenant B sees none of A's usage.
    const other = await store.withTenant(globex, (tx) =>
      tx.query(`SELECT 1 FROM ${store.schema}.usage_records WHERE run_id = $1`, [done.runId]),
    );
    expect(other).toHaveLength(0);
  });

  it("small talk goes to the respond model without retrieval", async () => {
    const fake = fakeLlm(provider, () => ({
      ...happyScript(),
      analyze: {
        text: '{"intent":"conversational","needs_retrieval":false,"entities":[],"follow_up":false}',
      },
    }));
    server.use(fake.handler);
    const events = await collect(agentFor(provider).stream("Hi there!", { tenant: acme }));
    const done = last(events);
    expect(done).toMatchObject({
      type: "run_finished",
      answerKind: "conversational",
      answer: "Hello! Ask me about your documents.",
    });
    expect(textOf(events)).toBe("Hello! Ask me about your documents.");
    expect(fake.requests.map((r) => r.role)).toEqual(["analyze", "respond"]);
    if (done.type === "run_finished")
      expect(done.usage?.byRole.map((u) => u.role)).toEqual(["analyze", "respond"]);
  });

  it("HyDE: the hypothetical answer is searched dense-only, next to the hybrid variations", async () => {
    server.use(fakeLlm(provider, happyScript).handler);
    const searches: SearchInput[] = [];
    const spy = {
      search: (tenant: TenantContext, input: SearchInput) => {
        searches.push(input);
        return store.search(tenant, input);
      },
    };
    const agent = createRagAgent({
      store: spy,
      checkpointer: new MemorySaver(),
      models: createLlmModels({ default: chatModel(provider) }),
    });
    const result = await agent.run(QUESTION, { tenant: acme });
    expect(result.answer).toContain(FACT);
    expect(searches.map((s) => [s.mode, s.query])).toEqual([
      ["hybrid", QUESTION],
      ["hybrid", "annual plan refund period"],
      ["dense", "Annual plans can be refunded within 30 days of purchase."],
    ]);
    const hydeOff = createRagAgent({
      store: spy,
      checkpointer: new MemorySaver(),
      models: createLlmModels({ default: chatModel(provider), hyde: false }),
    });
    searches.length = 0;
    await hydeOff.run(QUESTION, { tenant: acme });
    expect(searches.every((s) => s.mode === "hybrid")).toBe(true);
  });

  it("regenerates once when the judge finds the answer unsupported, replacing the streamed text", async () => {
    const fake = fakeLlm(provider, () => ({
      ...happyScript(),
      generate: (prompt, call): Reply => {
        const m = markerOf(prompt, FACT) ?? 99;
        return call === 1
          ? { text: `Annual plans can be refunded within 90 days, no questions asked [${m}].` }
          : { text: `Annual plans can be ${FACT} of purchase [${m}].` };
      },
      validate: (_prompt, call): Reply => ({
        text: `{"claims":[{"index":1,"verdict":"${call === 1 ? "unsupported" : "supported"}"}]}`,
      }),
    }));
    server.use(fake.handler);
    const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme }));
    const done = last(events);
    if (done.type !== "run_finished") throw new Error(`run failed: ${JSON.stringify(done)}`);
    expect(fake.count("generate")).toBe(2);
    const second = fake.requests.filter((r) => r.role === "generate")[1]!;
    expect(second.prompt).toContain("was not supported by the passages");
    expect(second.prompt).toContain("90");
    const resets = of(events, "text_delta").filter((e) => e.reset);
    expect(resets).toHaveLength(1);
    const deltas = of(events, "text_delta");
    expect(
      deltas
        .slice(deltas.indexOf(resets[0]!))
        .map((e) => e.delta)
        .join(""),
    ).toBe(done.answer);
    expect(done.answer).toContain(FACT);
    expect(done.answer).not.toContain("90 days");
    expect(of(events, "validation").map((e) => e.validation.status)).toEqual(["unsupported", "supported"]);
    expect(done.validation?.status).toBe("supported");
    expect(thoughts(events)).toContain("Rewriting the answer to stick to the sources.");
    // The conversation keeps only the final answer.
    const history = await agentFor(provider).getMessages(acme, done.threadId);
    expect(history.filter((t) => t.role === "assistant").map((t) => t.content)).toEqual([done.answer]);
  });

  it("regenerates at most once: a second unsupported answer is reported as unsupported", async () => {
    const fake = fakeLlm(provider, () => ({
      ...happyScript(),
      generate: { text: "Annual plans are refundable for a full year [1]." },
      validate: { text: '{"claims":[{"index":1,"verdict":"unsupported"}]}' },
    }));
    server.use(fake.handler);
    const result = await agentFor(provider).run(QUESTION, { tenant: acme });
    expect(fake.count("generate")).toBe(2);
    expect(fake.count("validate")).toBe(2);
    expect(result.validation?.status).toBe("unsupported");
  });

  it.each(["analyze", "rewrite", "rerank", "validate"] as const)(
    "invalid JSON from %s falls back to the offline heuristic and says so",
    async (role) => {
      server.use(
        fakeLlm(provider, () => ({
          ...happyScript(),
          [role]: { text: "Sure! Here you go: {intent: factual" },
        })).handler,
      );
      const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme }));
      const done = last(events);
      if (done.type !== "run_finished") throw new Error(`run failed: ${JSON.stringify(done)}`);
      expect(done.answer).toContain(FACT);
      expect(thoughts(events).some((t) => /returned invalid output/.test(t))).toBe(true);
    },
  );

  it.each(["analyze", "rewrite", "rerank", "generate", "validate"] as const)(
    "a 500 from %s ends the run with provider_error; the thread then continues to an answer",
    async (role: Role) => {
      let broken = true;
      const fake = fakeLlm(provider, () =>
        broken ? { ...happyScript(), [role]: { status: 500 } } : happyScript(),
      );
      server.use(fake.handler);
      const agent = agentFor(provider);
      const threadId = `e500-${provider}-${role}`;
      const events = await collect(agent.stream(QUESTION, { tenant: acme, threadId }));
      const error = last(events);
      expect(error).toMatchObject({ type: "run_error", code: "provider_error" });
      if (error.type === "run_error") expect(error.message).toContain("500");
      broken = false;
      const resumed = await collect(agent.continue({ tenant: acme, threadId }));
      const done = last(resumed);
      expect(done.type).toBe("run_finished");
      if (done.type === "run_finished") expect(done.answer).toContain(FACT);
      // Finished steps are not re-run: the step that failed is the first one called again.
      const again = fake.requests.slice(fake.requests.findIndex((r) => r.role === role) + 1);
      expect(again[0]?.role).toBe(role);
    },
  );

  it("retries a 429 with Retry-After and then answers", async () => {
    const fake = fakeLlm(provider, () => ({
      ...happyScript(),
      generate: (prompt, call): Reply =>
        call === 1
          ? { status: 429, headers: { "retry-after": "0" } }
          : { text: `Annual plans can be ${FACT} of purchase [${markerOf(prompt, FACT)}].` },
    }));
    server.use(fake.handler);
    const result = await agentFor(provider, { maxRetries: 2 }).run(QUESTION, { tenant: acme });
    expect(result.answer).toContain(FACT);
    expect(fake.count("generate")).toBe(2);
  });

  it("a 429 that does not clear ends the run with rate_limited", async () => {
    server.use(fakeLlm(provider, () => ({ ...happyScript(), generate: { status: 429 } })).handler);
    const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme }));
    expect(last(events)).toMatchObject({ type: "run_error", code: "rate_limited" });
  });

  it("a provider that never answers ends the run with timeout", async () => {
    server.use(fakeLlm(provider, () => ({ ...happyScript(), rewrite: { stall: true } })).handler);
    const events = await collect(agentFor(provider, { timeoutMs: 300 }).stream(QUESTION, { tenant: acme }));
    expect(last(events)).toMatchObject({ type: "run_error", code: "timeout" });
  });

  it.each(["analyze", "rewrite", "rerank", "generate", "validate"] as const)(
    "a stream from %s cut mid-way ends the run with provider_error, not a hang or a half answer",
    async (role: Role) => {
      server.use(
        fakeLlm(provider, () => ({ ...happyScript(), [role]: { text: '{"intent": "fa', end: "cut" } }))
          .handler,
      );
      const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme }));
      expect(last(events)).toMatchObject({ type: "run_error", code: "provider_error" });
      expect(of(events, "run_finished")).toHaveLength(0);
    },
  );

  it.each(["analyze", "rewrite", "rerank", "generate", "validate"] as const)(
    "abort while %s streams stops the run promptly; the thread continues afterwards",
    async (role: Role) => {
      let hang = true;
      const fake = fakeLlm(provider, () =>
        hang ? { ...happyScript(), [role]: { text: "{", end: "hang" } } : happyScript(),
      );
      server.use(fake.handler);
      const agent = agentFor(provider);
      const threadId = `abort-${provider}-${role}`;
      const controller = new AbortController();
      const events: AgentEvent[] = [];
      for await (const e of agent.stream(QUESTION, { tenant: acme, threadId, signal: controller.signal })) {
        events.push(e);
        // Abort once the hanging request is in flight (its step has started and the model was called).
        if (e.type === "step_started" && e.step === role) {
          for (let i = 0; i < 200 && fake.count(role) === 0; i++) await new Promise((r) => setTimeout(r, 10));
          controller.abort();
        }
      }
      expect(last(events)).toMatchObject({ type: "run_error", code: "aborted" });
      expect(fake.count(role)).toBe(1);
      hang = false;
      const resumed = await collect(agent.continue({ tenant: acme, threadId }));
      expect(last(resumed)).toMatchObject({ type: "run_finished", status: "completed" });
      if (last(resumed).type === "run_finished")
        expect((last(resumed) as AgentEventOf<"run_finished">).answer).toContain(FACT);
    },
  );

  it("the answer model can search again with search_knowledge_base (tenant from the run, not the model)", async () => {
    const fake = fakeLlm(provider, () => ({
      ...happyScript(),
      generate: (prompt, call): Reply => {
        if (call === 1)
          return {
            toolCall: {
              name: "search_knowledge_base",
              args: '{"query":"express shipping next business day","top_k":3}',
            },
          };
        const m = markerOf(prompt, "next business day");
        return {
          text: `Annual plans can be ${FACT} of purchase [${markerOf(prompt, FACT)}]. Express shipping arrives the next business day [${m}].`,
        };
      },
      validate: { text: '{"claims":[{"index":1,"verdict":"supported"},{"index":2,"verdict":"supported"}]}' },
    }));
    server.use(fake.handler);
    const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme }));
    const done = last(events);
    if (done.type !== "run_finished") throw new Error(`run failed: ${JSON.stringify(done)}`);
    const gens = fake.requests.filter((r) => r.role === "generate");
    expect(gens).toHaveLength(2);
    expect(gens[1]!.prompt).toContain("Express shipping is available");
    await expectVerbatim(acme, done.citations);
    expect(done.citations.some((c) => c.quote.includes("next business day"))).toBe(true);
    expect(done.validation?.status).toBe("supported");
    expect(thoughts(events).some((t) => t.startsWith("Searched the documents again"))).toBe(true);
  });

  it("a tool call whose arguments are not JSON is refused; the model then answers", async () => {
    const fake = fakeLlm(provider, () => ({
      ...happyScript(),
      generate: (prompt, call): Reply =>
        call === 1
          ? { toolCall: { name: "search_knowledge_base", args: "query=refund&top_k=3 ]]" } }
          : { text: `Annual plans can be ${FACT} of purchase [${markerOf(prompt, FACT)}].` },
    }));
    server.use(fake.handler);
    const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme }));
    const done = last(events);
    if (done.type !== "run_finished") throw new Error(`run failed: ${JSON.stringify(done)}`);
    const gens = fake.requests.filter((r) => r.role === "generate");
    expect(gens).toHaveLength(2);
    expect(gens[1]!.prompt).toContain("not valid JSON");
    expect(done.answer).toContain(FACT);
    expect(thoughts(events)).toContain("A tool call with invalid arguments was refused.");
  });

  it("an empty answer from the model ends the run with provider_error", async () => {
    server.use(fakeLlm(provider, () => ({ ...happyScript(), generate: { text: "" } })).handler);
    const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme }));
    expect(last(events)).toMatchObject({
      type: "run_error",
      code: "provider_error",
      message: "The answer model returned no text.",
    });
  });

  it("a tool call naming another tenant (or any extra argument) is refused and leaks nothing", async () => {
    const fake = fakeLlm(provider, () => ({
      ...happyScript(),
      generate: (prompt, call): Reply =>
        call === 1
          ? {
              toolCall: {
                name: "search_knowledge_base",
                args: '{"query":"VPN intranet laptop","tenant_id":"globex"}',
              },
            }
          : call === 2
            ? { toolCall: { name: "search_knowledge_base", args: '{"query":"VPN GlobalProtect intranet"}' } }
            : { text: `Annual plans can be ${FACT} of purchase [${markerOf(prompt, FACT)}].` },
    }));
    server.use(fake.handler);
    const events = await collect(agentFor(provider).stream(QUESTION, { tenant: acme }));
    const done = last(events);
    if (done.type !== "run_finished") throw new Error(`run failed: ${JSON.stringify(done)}`);
    const gens = fake.requests.filter((r) => r.role === "generate");
    // Round 1: the extra field is rejected before anything runs; round 2: searched as acme; round 3: no tools.
    expect(gens).toHaveLength(3);
    expect(gens[1]!.prompt).toMatch(/invalid arguments for search_knowledge_base/);
    expect(gens[1]!.prompt).toMatch(/tenant_id|Unrecognized key/i);
    expect(gens[2]!.hasTools).toBe(false);
    for (const r of fake.requests) {
      for (const secret of Object.values(GLOBEX_DOCS)) {
        for (const line of secret.split("\n").filter((l) => l.length > 30))
          expect(r.prompt).not.toContain(line);
      }
    }
    expect(JSON.stringify(events)).not.toMatch(/GlobalProtect client|badge number/);
    expect(thoughts(events).some((t) => t.startsWith("A tool call was refused"))).toBe(true);
  });
});

describe("agent tools (built per run, tenant from the run)", () => {
  const call = (name: string, args: Record<string, unknown>) => ({
    id: `call-${name}`,
    name,
    args,
    type: "tool_call" as const,
  });

  it("search_knowledge_base searches only the run's tenant and refuses a tenant argument", async () => {
    const tools = createAgentTools({ store, tenant: globex });
    const own = await runToolCall(
      tools.all,
      call("search_knowledge_base", { query: "refund window annual plans", top_k: 5 }),
    );
    expect(own.status).not.toBe("error");
    const passages = own.artifact as Array<{ documentId: string }>;
    for (const p of passages) expect(docIds.get("globex")!.has(p.documentId)).toBe(true);
    expect(String(own.content)).not.toMatch(/refunded in full/);
    const sneaky = await runToolCall(
      tools.all,
      call("search_knowledge_base", { query: "refund", tenant_id: "acme" }),
    );
    expect(sneaky.status).toBe("error");
    expect(String(sneaky.content)).toMatch(/invalid arguments/);
    expect(sneaky.artifact).toBeUndefined();
  });

  it("query_database answers from the run tenant's rows; extra arguments are refused before any SQL runs", async () => {
    const tools = createAgentTools({ store, tenant: acme, sqlStore: store });
    const ok = await runToolCall(
      tools.all,
      call("query_database", { question: "What is the total revenue by region?" }),
    );
    const result = JSON.parse(String(ok.content)) as { rows: Array<{ region: string }> };
    expect(result.rows.map((r) => r.region).sort()).toEqual(["North", "South"]);
    const sneaky = await runToolCall(
      tools.all,
      call("query_database", { question: "What is the total revenue by region?", tenant_id: "globex" }),
    );
    expect(sneaky.status).toBe("error");
    expect(String(sneaky.content)).not.toMatch(/East|Coast/);
  });

  it("query_database with a SQL model runs the model's checked SQL, retries a refused one, falls back offline", async () => {
    const seen: Array<{ question: string; attempts: number; datasets: string[] }> = [];
    const proposals = [
      // Refused by the validator (a catalog read): fed back to the model with the error.
      "SELECT rolname FROM pg_roles",
      // A question the offline translator has no answer for (a product count per region).
      "SELECT region, count(DISTINCT product) AS products FROM sales_view GROUP BY region ORDER BY region",
    ];
    const tools = createAgentTools({
      store,
      tenant: acme,
      sqlStore: store,
      writeSql: async (input) => {
        seen.push({
          question: input.question,
          attempts: input.attempts.length,
          datasets: input.datasets.map((d) => d.name),
        });
        return { sql: proposals[input.attempts.length]!, description: "Products per region" };
      },
    });
    const ok = await runToolCall(
      tools.all,
      call("query_database", { question: "How many different products does each region sell?" }),
    );
    const result = JSON.parse(String(ok.content)) as { sql: string; rows: Array<{ region: string }> };
    expect(result.sql).toBe(proposals[1]);
    expect(result.rows.map((r) => r.region)).toEqual(["North", "South"]); // acme's rows only
    expect(seen.map((s) => s.attempts)).toEqual([0, 1]);
    expect(seen[0]!.datasets).toEqual(["sales_view"]);

    // A model that fails to respond: the offline translator answers what it can.
    const failing = createAgentTools({
      store,
      tenant: acme,
      sqlStore: store,
      writeSql: async () => {
        throw new RagKitError("provider_error", "the provider answered 503");
      },
    });
    const fallback = await runToolCall(
      failing.all,
      call("query_database", { question: "What is the total revenue by region?" }),
    );
    const rows = (JSON.parse(String(fallback.content)) as { rows: Array<{ region: string }> }).rows;
    expect(rows.map((r) => r.region).sort()).toEqual(["North", "South"]);
  });

  it("create_visualization turns rows into a chart spec and rejects unknown chart types", async () => {
    const tools = createAgentTools({ store, tenant: acme });
    const data = {
      columns: ["region", "revenue"],
      rows: [
        { region: "North", revenue: 10 },
        { region: "South", revenue: 20 },
      ],
    };
    const ok = await runToolCall(tools.all, call("create_visualization", { data, chart_type: "bar" }));
    expect(JSON.parse(String(ok.content))).toMatchObject({ type: "bar" });
    const bad = await runToolCall(tools.all, call("create_visualization", { data, chart_type: "radar" }));
    expect(bad.status).toBe("error");
    const unknown = await runToolCall(tools.all, call("drop_tables", {}));
    expect(String(unknown.content)).toMatch(/unknown tool/);
  });
});

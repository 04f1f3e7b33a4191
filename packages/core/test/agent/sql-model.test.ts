import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  customersDataset,
  ordersDataset,
  resultKey,
  seedShop,
  shopSchemaSql,
} from "../../../../scripts/lib/shop-data.mjs";
import { type AgentEvent, type AgentEventOf, agentEventSchema } from "../../src/agent/events.js";
import { createRagAgent } from "../../src/agent/graph.js";
import { createLlmModels } from "../../src/agent/llm/index.js";
import type { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import type { ReadOnlyQueryResult } from "../../src/tools/sql/execute.js";
import { driverKinds, openStore, startDatabase, type TestDatabase } from "../support/databases.js";
import { chatModel, fakeLlm, type Provider, type Script } from "./llm-fake.js";

/*
 * Model-written SQL through the real provider wire formats (OpenAI / Anthropic SSE replayed by msw): a forced
 * `write_sql` tool call, checked by the validator and the plan fence in the tool's read-only scope, retried with
 * the error, shown on the approval card, and summarised. The other roles stay offline (null), so only the SQL
 * writer and the summariser talk to the "provider".
 */

const acme = createTenantContext({ tenantId: "llm-shop-a", userId: "ann", source: "test" });
const globex = createTenantContext({ tenantId: "llm-shop-b", userId: "gus", source: "test" });
const GOOD = "SELECT category, sum(amount) AS revenue FROM orders GROUP BY category ORDER BY category";
const REFERENCE = "SELECT category, sum(amount) FROM shop.orders WHERE tenant_id = $1 GROUP BY 1";

const server = setupServer();
let db: TestDatabase;
let store: KnowledgeStore;

async function collect(stream: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const e of stream) events.push(agentEventSchema.parse(e));
  return events;
}
const of = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is AgentEventOf<T> => e.type === type);
const finished = (events: AgentEvent[]) => events.at(-1) as AgentEventOf<"run_finished">;
const sqlCall = (sql: string) => ({
  toolCall: { name: "write_sql", args: JSON.stringify({ sql, description: "Revenue per category." }) },
});

function agentFor(provider: Provider, options: { approvals?: boolean; timeoutMs?: number } = {}) {
  const model = chatModel(provider, options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
  const models = createLlmModels({
    default: model,
    analyze: null,
    rewrite: null,
    rerank: null,
    generate: null,
    validate: null,
    respond: null,
  });
  return createRagAgent({ store, models, ...(options.approvals ? {} : { requireApprovalFor: [] }) });
}

describe.each(driverKinds)("model-written SQL on %s", (kind) => {
  beforeAll(async () => {
    server.listen({ onUnhandledRequest: "error" });
    db = await startDatabase(kind);
    store = await openStore(db);
    for (const ctx of [acme, globex]) await store.ensureTenant(ctx);
    await db.owner.exec(shopSchemaSql(`${store.schema}_app`));
    await seedShop((sql, params) => db.owner.query(sql, params), acme.tenantId);
    await seedShop((sql, params) => db.owner.query(sql, params), globex.tenantId, {
      customers: 5,
      orders: 40,
    });
    await store.registerDataset(customersDataset);
    await store.registerDataset(ordersDataset);
  });
  afterEach(() => server.resetHandlers());
  afterAll(async () => {
    server.close();
    await store?.close();
    await db?.stop();
  });

  describe.each(["openai", "anthropic"] as const)("over %s", (provider) => {
    it("prompts with the tenant's schema only, forces write_sql, runs it and summarises the rows", async () => {
      const fake = fakeLlm(
        provider,
        (): Script => ({
          sql: sqlCall(GOOD),
          summarize: { text: "Services brought in the most revenue." },
        }),
      );
      server.use(fake.handler);
      const events = await collect(agentFor(provider).stream("Total revenue by category", { tenant: acme }));
      const done = finished(events);
      expect(done).toMatchObject({ status: "completed", answerKind: "data" });
      expect(done.answer).toContain("Services brought in the most revenue.");
      expect(done.answer).toContain(GOOD);
      const result = of(events, "tool_call")[0]!.toolCall.result as ReadOnlyQueryResult;
      expect(resultKey(result.rows)).toBe(resultKey(await db.owner.query(REFERENCE, [acme.tenantId])));
      const [request] = fake.requests.filter((r) => r.role === "sql");
      expect(request!.prompt).toContain("Table orders");
      expect(request!.prompt).toContain("orders.customer_id references customers.id");
      expect(request!.prompt).toContain("llm-shop-a-customer-");
      expect(request!.prompt).not.toContain("llm-shop-b");
      expect(request!.prompt).not.toContain("tenant_id ");
      const choice = request!.body.tool_choice as Record<string, unknown>;
      expect(JSON.stringify(choice)).toContain("write_sql");
    });

    it("refuses unsafe SQL on every attempt: nothing runs, the question goes to the documents", async () => {
      const unsafe = [
        "SELECT rolname, rolpassword FROM pg_authid",
        "DELETE FROM orders",
        "SELECT * FROM shop.orders",
      ];
      const fake = fakeLlm(
        provider,
        (): Script => ({ sql: (_prompt, call) => sqlCall(unsafe[call - 1] ?? unsafe[0]!) }),
      );
      server.use(fake.handler);
      const events = await collect(agentFor(provider).stream("Total revenue by category", { tenant: acme }));
      expect(fake.count("sql")).toBe(3); // the first try and 2 retries, each told why
      const prompts = fake.requests.filter((r) => r.role === "sql").map((r) => r.prompt);
      expect(prompts[1]).toContain("pg_authid");
      expect(prompts[2]).toMatch(/Only SELECT statements are allowed/);
      expect(of(events, "tool_call")).toEqual([]);
      expect(finished(events).answerKind).not.toBe("data");
      const thoughts = of(events, "thought")
        .map((e) => e.text)
        .join("\n");
      expect(thoughts).toMatch(/relation_not_allowed/);
      expect(thoughts).toMatch(/not_select/);
    });

    it("repairs a wrong column with the database's error, and shows the repaired SQL for approval", async () => {
      const fake = fakeLlm(
        provider,
        (): Script => ({
          sql: (_prompt, call) =>
            sqlCall(
              call === 1 ? "SELECT category, sum(total) AS revenue FROM orders GROUP BY category" : GOOD,
            ),
          summarize: { text: "Here is the revenue per category." },
        }),
      );
      server.use(fake.handler);
      const agent = agentFor(provider, { approvals: true });
      const first = await collect(
        agent.stream("Total revenue by category", { tenant: acme, threadId: `fix-${kind}-${provider}` }),
      );
      const [interrupt] = of(first, "interrupt");
      expect(interrupt!.interrupt.args.sql).toBe(GOOD);
      const retry = fake.requests.filter((r) => r.role === "sql")[1]!;
      expect(retry.prompt).toMatch(/column "total" does not exist/);
      expect(of(first, "tool_call")).toEqual([]);
      // The card's SQL is what runs; an edit replaces it (and is checked like any SQL).
      const edited = "SELECT count(*) AS n FROM orders";
      const resumed = await collect(
        agent.resume({
          tenant: acme,
          threadId: `fix-${kind}-${provider}`,
          decision: { type: "edit", args: { sql: edited } },
        }),
      );
      const call = of(resumed, "tool_call")[0]!.toolCall;
      expect(call.args.sql).toBe(edited);
      expect(fake.count("sql")).toBe(2); // resuming never asks the model again
    });

    it("falls back to the offline translator when the model times out", async () => {
      const fake = fakeLlm(provider, (): Script => ({ sql: { stall: true }, summarize: { stall: true } }));
      server.use(fake.handler);
      const events = await collect(
        agentFor(provider, { timeoutMs: 300 }).stream("Total revenue by category", { tenant: globex }),
      );
      const done = finished(events);
      expect(done).toMatchObject({ status: "completed", answerKind: "data" });
      const thoughts = of(events, "thought")
        .map((e) => e.text)
        .join("\n");
      expect(thoughts).toMatch(/SQL model failed .*offline translator/);
      expect(thoughts).toMatch(/summary model failed/);
      const result = of(events, "tool_call")[0]!.toolCall.result as ReadOnlyQueryResult;
      expect(resultKey(result.rows)).toBe(resultKey(await db.owner.query(REFERENCE, [globex.tenantId])));
      expect(done.answer).toContain("| category |");
    });
  });
});

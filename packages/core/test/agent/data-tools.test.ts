import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentEvent, type AgentEventOf, agentEventSchema } from "../../src/agent/events.js";
import { createRagAgent } from "../../src/agent/graph.js";
import { routeAfterAnalyze, routeAfterQuery } from "../../src/agent/routing.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import type { ChartSpec } from "../../src/tools/chart/schema.js";
import { exampleSalesRows, seedExampleSales } from "../../src/tools/sql/example-data.js";
import type { ReadOnlyQueryResult } from "../../src/tools/sql/execute.js";
import { startDatabase, type TestDatabase } from "../support/databases.js";

const collect = async (events: AsyncIterable<AgentEvent>) => {
  const out: AgentEvent[] = [];
  for await (const e of events) out.push(agentEventSchema.parse(e));
  return out;
};
const of = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is AgentEventOf<T> => e.type === type);

describe("agent data tools: query_database and create_visualization", () => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  const acme = createTenantContext({ tenantId: "data-acme", userId: "ann" });
  const globex = createTenantContext({ tenantId: "data-globex", userId: "gus" });
  const acmeRows = exampleSalesRows({ scale: 1 });
  const globexRows = exampleSalesRows({ scale: 3, regions: ["East", "Central", "Coast"] });
  const revenueByRegion = (rows: typeof acmeRows) => {
    const totals = new Map<string, number>();
    for (const r of rows) totals.set(r.region, (totals.get(r.region) ?? 0) + Number(r.revenue));
    return totals;
  };

  beforeAll(async () => {
    db = await startDatabase("pglite");
    store = await KnowledgeStore.open({ driver: db.driver });
    await store.ensureTenant(acme);
    await store.ensureTenant(globex);
    await seedExampleSales(store, acme, acmeRows);
    await seedExampleSales(store, globex, globexRows);
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("routes data questions to the query step only when the tools are available", () => {
    const analysis = (intent: "data_question" | "chart_request" | "factual") => ({
      analysis: { intent, needsRetrieval: true, entities: [], followUp: false },
    });
    expect(routeAfterAnalyze(analysis("data_question") as never, { dataTools: true })).toBe("query");
    expect(routeAfterAnalyze(analysis("chart_request") as never, { dataTools: true })).toBe("query");
    expect(routeAfterAnalyze(analysis("data_question") as never, { dataTools: false })).toBe("rewrite");
    expect(routeAfterAnalyze(analysis("factual") as never, { dataTools: true })).toBe("rewrite");
  });

  it("falls back to the documents when a question that sounds like data has no query", async () => {
    expect(routeAfterQuery({ answer: "" })).toBe("rewrite");
    expect(routeAfterQuery({ answer: "| region | revenue |" })).toBe("__end__");
    const text = "Employees receive 28 days of paid annual leave per year.";
    await store.putDocument(acme, { title: "Leave", text, chunks: [{ text, start: 0, end: text.length }] });
    const agent = createRagAgent({ store });
    const events = await collect(
      agent.stream("How many days of paid leave do employees get?", { tenant: acme, threadId: "fallback" }),
    );
    const steps = of(events, "step_started").map((e) => e.step);
    expect(steps.slice(0, 4)).toEqual(["analyze", "query", "rewrite", "retrieve"]);
    expect(of(events, "interrupt")).toEqual([]); // no query, so nothing to approve
    const finished = events.at(-1) as AgentEventOf<"run_finished">;
    expect(finished).toMatchObject({ type: "run_finished", status: "completed", answerKind: "extractive" });
    expect(finished.answer).toContain("28 days");
    expect(finished.citations.length).toBeGreaterThan(0);
  });

  it("asks for approval by default, then answers from the tenant's own rows", async () => {
    const agent = createRagAgent({ store });
    const first = await collect(
      agent.stream("What is the total revenue by region?", { tenant: acme, threadId: "d1" }),
    );
    const [interrupt] = of(first, "interrupt");
    expect(interrupt?.interrupt).toMatchObject({ tool: "query_database", kind: "approval" });
    expect(String(interrupt!.interrupt.args.sql)).toMatch(/sales_view/);
    expect(first.at(-1)).toMatchObject({ type: "run_finished", status: "interrupted" });
    expect(of(first, "tool_call")).toEqual([]); // nothing ran before the decision

    const resumed = await collect(
      agent.resume({ tenant: acme, threadId: "d1", decision: { type: "approve" } }),
    );
    const [call] = of(resumed, "tool_call");
    expect(call?.toolCall.name).toBe("query_database");
    const result = call!.toolCall.result as ReadOnlyQueryResult;
    const expected = revenueByRegion(acmeRows);
    expect(result.rows).toHaveLength(expected.size);
    const revenueColumn = result.columns.find((c) => c !== "region")!;
    for (const row of result.rows) {
      expect(Number(row[revenueColumn])).toBeCloseTo(expected.get(String(row.region))!, 2);
    }
    const finished = resumed.at(-1);
    expect(finished).toMatchObject({ type: "run_finished", status: "completed", answerKind: "data" });
    expect((finished as AgentEventOf<"run_finished">).answer).toContain("| ");
    expect(
      of(resumed, "text_delta")
        .map((e) => e.delta)
        .join(""),
    ).toBe((finished as AgentEventOf<"run_finished">).answer);
  });

  it("never shows one tenant's data to another", async () => {
    const agent = createRagAgent({ store, requireApprovalFor: [] });
    const events = await collect(agent.stream("What is the total revenue by region?", { tenant: globex }));
    const result = of(events, "tool_call")[0]!.toolCall.result as ReadOnlyQueryResult;
    expect(result.columns).toContain("region");
    expect(new Set(result.rows.map((r) => r.region))).toEqual(new Set(["East", "Central", "Coast"]));
  });

  it("draws a chart for chart requests: a line chart of monthly revenue, one series per region", async () => {
    const agent = createRagAgent({ store, requireApprovalFor: [] });
    const events = await collect(agent.stream("Chart monthly sales by region", { tenant: acme }));
    const answer = (events.at(-1) as AgentEventOf<"run_finished">).answer;
    // The chart carries the numbers: the text says what it shows instead of repeating the rows as a table.
    expect(answer).toMatch(/the chart shows the \d+ rows the query returned/);
    expect(answer).not.toMatch(/\| North \||GMT/);
    const chartCall = of(events, "tool_call").find((e) => e.toolCall.name === "create_visualization");
    const spec = chartCall?.toolCall.result as ChartSpec;
    expect(spec.type).toBe("line");
    expect(spec.series.map((s) => s.label ?? s.key).sort()).toEqual(["North", "South", "West"]);
    expect(spec.data).toHaveLength(12);
  });

  it("runs an edited query and refuses an unsafe edit through the SQL tool's parser", async () => {
    const agent = createRagAgent({ store });
    await collect(agent.stream("total units by product", { tenant: acme, threadId: "d2" }));
    const edited = await collect(
      agent.resume({
        tenant: acme,
        threadId: "d2",
        decision: { type: "edit", args: { sql: "SELECT count(*) AS n FROM sales_view" } },
      }),
    );
    const result = of(edited, "tool_call")[0]!.toolCall.result as ReadOnlyQueryResult;
    expect(Number(result.rows[0]!.n)).toBe(acmeRows.length);

    await collect(agent.stream("total units by product", { tenant: acme, threadId: "d3" }));
    const unsafe = await collect(
      agent.resume({
        tenant: acme,
        threadId: "d3",
        decision: {
          type: "edit",
          args: { sql: "SELECT set_config('ragkit.tenant_id', 'data-globex', true)" },
        },
      }),
    );
    expect(unsafe.at(-1)).toMatchObject({ type: "run_error", code: "invalid_input" });
  });

  it("a rejected query is never run", async () => {
    const agent = createRagAgent({ store });
    await collect(agent.stream("total revenue by region", { tenant: acme, threadId: "d4" }));
    const rejected = await collect(
      agent.resume({ tenant: acme, threadId: "d4", decision: { type: "reject", reason: "not now" } }),
    );
    expect(of(rejected, "tool_call")).toEqual([]);
    expect(rejected.at(-1)).toMatchObject({ type: "run_finished", status: "completed", answerKind: "none" });
    expect((rejected.at(-1) as AgentEventOf<"run_finished">).answer).toMatch(/not approved: not now/);
  });
});

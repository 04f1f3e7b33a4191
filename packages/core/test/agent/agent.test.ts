import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentEvent, type AgentEventOf, agentEventSchema } from "../../src/agent/events.js";
import { type AgentStore, createRagAgent, type RagAgent } from "../../src/agent/graph.js";
import { NO_ANSWER } from "../../src/agent/offline.js";
import { RagKitError } from "../../src/errors/index.js";
import { ingestDocument } from "../../src/ingest/pipeline.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import { startDatabase, type TestDatabase } from "../support/databases.js";
import { ACME_DOCS, GLOBEX_DOCS } from "./fixtures.js";

let db: TestDatabase;
let store: KnowledgeStore;
let agent: RagAgent;
const acme = createTenantContext({ tenantId: "acme", userId: "alice", source: "test" });
const globex = createTenantContext({ tenantId: "globex", userId: "bob", source: "test" });
const docIds = new Map<string, Set<string>>([
  ["acme", new Set()],
  ["globex", new Set()],
]);

async function seed(ctx: TenantContext, docs: Record<string, string>) {
  await store.ensureTenant(ctx);
  for (const [filename, text] of Object.entries(docs)) {
    const result = await ingestDocument(store, ctx, { data: Buffer.from(text), filename });
    docIds.get(ctx.tenantId)!.add(result.document.id);
  }
}

async function collect(stream: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

beforeAll(async () => {
  db = await startDatabase("pglite");
  store = await KnowledgeStore.open({ driver: db.driver });
  await seed(acme, ACME_DOCS);
  await seed(globex, GLOBEX_DOCS);
  agent = createRagAgent({ store });
});

afterAll(async () => {
  await store?.close();
  await db?.stop();
});

const of = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is AgentEventOf<T> => e.type === type);
const textOf = (events: AgentEvent[]) =>
  of(events, "text_delta")
    .map((e) => e.delta)
    .join("");

async function expectCitationsFrom(
  tenant: TenantContext,
  citations: AgentEventOf<"run_finished">["citations"],
) {
  for (const c of citations) {
    expect(docIds.get(tenant.tenantId)!.has(c.documentId)).toBe(true);
    const { text } = await store.getDocumentText(tenant, c.documentId);
    expect(text.slice(c.start, c.end)).toBe(c.quote);
  }
}

describe("RAG agent on an embedded store, two tenants", () => {
  it("answers tenant A from A's documents, each marker tied to an exact span of the source", async () => {
    const result = await agent.run("What is the refund window for annual plans?", { tenant: acme });
    expect(result.answerKind).toBe("extractive");
    expect(result.answer).toMatch(/^Extractive answer/);
    expect(result.answer).toContain("refunded in full within 30 days of purchase");
    expect(result.citations.length).toBeGreaterThan(0);
    await expectCitationsFrom(acme, result.citations);
    for (const c of result.citations) expect(result.answer).toContain(`${c.quote} [${c.marker}]`);
    expect(result.citations.map((c) => c.marker)).toEqual(result.citations.map((_, i) => i + 1));
    expect(result.validation?.status).toBe("supported");
  });

  it("answers tenant B from B's documents only", async () => {
    const result = await agent.run("How do I access the intranet from home?", { tenant: globex });
    expect(result.answer).toContain("The VPN must be configured before accessing the intranet from home.");
    expect(result.citations.length).toBeGreaterThan(0);
    await expectCitationsFrom(globex, result.citations);
  });

  it("asking tenant A's question as tenant B yields no A content", async () => {
    const result = await agent.run("What is the refund window for annual plans?", { tenant: globex });
    expect(result.answerKind).toBe("none");
    expect(result.answer).toBe(NO_ANSWER);
    expect(result.citations).toEqual([]);
    expect(result.validation?.status).toBe("unsupported");
    for (const text of Object.values(ACME_DOCS)) {
      for (const sentence of text.split(/(?<=\.)\s+/).filter((x) => x.length > 20)) {
        expect(result.answer).not.toContain(sentence);
      }
    }
  });

  it("streams events in order: run_started … text_delta … citations … run_finished", async () => {
    const events: AgentEvent[] = [];
    for await (const e of agent.stream("What is the refund window for annual plans?", { tenant: acme })) {
      events.push(e);
    }
    for (const e of events) expect(agentEventSchema.safeParse(e).success).toBe(true);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("run_started");
    expect(types.at(-1)).toBe("run_finished");
    expect(types.filter((t) => t === "run_finished" || t === "run_error")).toHaveLength(1);
    const firstDelta = types.indexOf("text_delta");
    expect(firstDelta).toBeGreaterThan(0);
    expect(types.lastIndexOf("text_delta")).toBeLessThan(types.indexOf("citations"));
    expect(types.indexOf("citations")).toBeLessThan(types.indexOf("validation"));
    // Token-by-token, and the deltas add up to the final answer.
    const finished = of(events, "run_finished")[0]!;
    expect(of(events, "text_delta").length).toBeGreaterThan(10);
    expect(textOf(events)).toBe(finished.answer);
    // Steps start and finish in graph order; progress only goes up, to 1.
    expect(of(events, "step_started").map((e) => e.step)).toEqual([
      "analyze",
      "rewrite",
      "retrieve",
      "rerank",
      "generate",
      "validate",
    ]);
    expect(of(events, "step_finished").map((e) => e.step)).toEqual(
      of(events, "step_started").map((e) => e.step),
    );
    for (const e of of(events, "step_finished")) {
      const started = events.findIndex((x) => x.type === "step_started" && x.step === e.step);
      const next = events.findIndex((x, i) => i > started && x.type === "step_started");
      expect(started).toBeLessThan(events.indexOf(e));
      if (next > 0) expect(events.indexOf(e)).toBeLessThan(next);
    }
    const progress = of(events, "progress").map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    expect(of(events, "thought").length).toBeGreaterThanOrEqual(5);
    const ids = new Set(events.map((e) => `${e.runId}/${e.threadId}`));
    expect(ids.size).toBe(1);
  });

  it("answers small talk without retrieval", async () => {
    const result = await agent.run("Hello!", { tenant: acme });
    expect(result.answerKind).toBe("conversational");
    expect(of(result.events, "step_started").map((e) => e.step)).toEqual(["analyze", "respond"]);
    expect(result.citations).toEqual([]);
    expect(textOf(result.events)).toBe(result.answer);
  });

  it("a follow-up on the same thread sees the previous turn; other threads and tenants do not", async () => {
    const threadId = "session-follow-up";
    await agent.run("What is the refund window for annual plans?", { tenant: acme, threadId });
    const followUp = await agent.run("And what about monthly plans?", { tenant: acme, threadId });
    const thoughts = of(followUp.events, "thought").map((e) => e.text);
    expect(thoughts).toContain("It follows up on the previous question.");
    expect(
      thoughts.some((t) => t.includes("in the context of: What is the refund window for annual plans")),
    ).toBe(true);
    expect(followUp.answer).toContain("Monthly plans are not refundable");
    await expectCitationsFrom(acme, followUp.citations);
    const history = await agent.getMessages(acme, threadId);
    expect(history.map((t) => t.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(history[2]!.content).toBe("And what about monthly plans?");
    expect(history[3]!.content).toBe(followUp.answer);

    // Same message on a fresh thread: no previous turn to follow up on.
    const fresh = await agent.run("And what about monthly plans?", { tenant: acme });
    expect(of(fresh.events, "thought").map((e) => e.text)).not.toContain(
      "It follows up on the previous question.",
    );
    // Same thread id, other tenant: a different conversation.
    expect(await agent.getMessages(globex, threadId)).toEqual([]);
  });

  it("cancelling via AbortSignal ends the stream promptly with run_error aborted", async () => {
    // A store whose search never returns and ignores cancellation: the stream can only end if the abort
    // does not wait for the step (the test's timeout is the guard, not a clock).
    const slow: AgentStore = {
      search: () => new Promise(() => {}),
    };
    const slowAgent = createRagAgent({ store: slow, checkpointer: new MemorySaver() });
    const controller = new AbortController();
    const events: AgentEvent[] = [];
    let aborted = false;
    for await (const e of slowAgent.stream("What is the refund window?", {
      tenant: acme,
      signal: controller.signal,
    })) {
      events.push(e);
      if (e.type === "step_started" && e.step === "retrieve") {
        aborted = true;
        controller.abort();
      }
    }
    expect(aborted).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "run_error", code: "aborted" });
    expect(of(events, "run_finished")).toEqual([]);
    expect(of(events, "step_finished").map((e) => e.step)).not.toContain("retrieve");
  });

  it("breaking out of the stream cancels the run", async () => {
    let calls = 0;
    const slow: AgentStore = {
      search: () => {
        calls++;
        return new Promise((resolve) => setTimeout(() => resolve([]), 200));
      },
    };
    const slowAgent = createRagAgent({ store: slow, checkpointer: new MemorySaver() });
    // Two query variations → two sequential searches when the run is not cancelled.
    for await (const e of slowAgent.stream("What is the refund window for annual plans?", { tenant: acme })) {
      if (e.type === "step_started" && e.step === "retrieve") break;
    }
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(calls).toBe(1);
  });

  it("a thread stays usable after a cancelled run, and runs one turn at a time", async () => {
    let slowMode = true;
    const wrapped: AgentStore = {
      search: async (ctx, input) => {
        if (slowMode) await new Promise((resolve) => setTimeout(resolve, 400));
        return store.search(ctx, input);
      },
    };
    const shared = createRagAgent({ store: wrapped, checkpointer: new MemorySaver() });
    const threadId = "session-cancel";
    const controller = new AbortController();
    const first = shared.stream("How long does standard shipping take?", {
      tenant: acme,
      threadId,
      signal: controller.signal,
    });
    const firstEvents: AgentEvent[] = [];
    for await (const e of first) {
      firstEvents.push(e);
      if (e.type === "step_started" && e.step === "retrieve") {
        // While this run is in flight, a second run on the same thread is refused.
        const clash = await collect(shared.stream("Is data encrypted?", { tenant: acme, threadId }));
        expect(clash.at(-1)).toMatchObject({ type: "run_error", code: "conflict" });
        // Another tenant with the same thread id is a different thread.
        slowMode = false;
        const other = await shared.run("How do I access the intranet from home?", {
          tenant: globex,
          threadId,
        });
        expect(other.answerKind).toBe("extractive");
        slowMode = true;
        controller.abort();
      }
    }
    expect(firstEvents.at(-1)).toMatchObject({ type: "run_error", code: "aborted" });
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the abandoned search finish
    slowMode = false;
    const next = await shared.run("Is customer data encrypted?", { tenant: acme, threadId });
    expect(next.answer).toContain("encrypted at rest with AES-256");
    await expectCitationsFrom(acme, next.citations);
    const history = await shared.getMessages(acme, threadId);
    expect(history.map((t) => t.role)).toEqual(["user", "user", "assistant"]);
  });

  it("an already-aborted signal ends the run before any step", async () => {
    const events = await collect(
      agent.stream("What is the refund window?", { tenant: acme, signal: AbortSignal.abort() }),
    );
    expect(events.map((e) => e.type)).toEqual(["run_started", "run_error"]);
    expect(events[1]).toMatchObject({ code: "aborted" });
  });

  it("rejects bad input with a clear error event, never a hang", async () => {
    const cases: Array<[string, unknown, string, RegExp]> = [
      ["   ", acme, "invalid_input", /empty/],
      ["x".repeat(1024 * 1024), acme, "too_large", /1048576 bytes; the limit is 32768 bytes/],
      ["What is the refund window?", undefined, "invalid_input", /TenantContext/],
      [
        "What is the refund window?",
        { tenantId: "acme", userId: null, source: "forged" },
        "invalid_input",
        /TenantContext/,
      ],
    ];
    for (const [message, tenant, code, text] of cases) {
      const events = await collect(agent.stream(message, { tenant: tenant as TenantContext }));
      expect(events.map((e) => e.type)).toEqual(["run_started", "run_error"]);
      expect(events[1]).toMatchObject({ code });
      expect((events[1] as AgentEventOf<"run_error">).message).toMatch(text);
    }
    const badThread = await collect(agent.stream("hi", { tenant: acme, threadId: "../other" }));
    expect(badThread.at(-1)).toMatchObject({ type: "run_error", code: "invalid_input" });
    await expect(agent.run("", { tenant: acme })).rejects.toThrow(RagKitError);
  });

  it("the graph takes the tenant only from the run config", async () => {
    const input = { messages: [new HumanMessage("What is the refund window?")], tenantId: "acme" };
    await expect(
      agent.graph.invoke(input, { configurable: { thread_id: "no-tenant" } }),
    ).rejects.toMatchObject({
      code: "invalid_input",
    });
  });

  it("validates a (hypothetical) model answer that invents facts and cites wrongly", async () => {
    const lying = createRagAgent({
      store,
      models: {
        answer: ({ passages, onDelta }) => {
          const p = passages[0]!;
          const text = "Annual plans can be refunded within 90 days [1]. Shipping is free worldwide [7].";
          onDelta(text);
          const citation = {
            marker: 1,
            chunkId: p.chunkId,
            documentId: p.documentId,
            documentTitle: p.documentTitle,
            start: p.start,
            end: p.end,
            quote: p.text,
            pageNumber: p.pageNumber,
          };
          return { text, citations: [citation], kind: "generative" };
        },
      },
    });
    const result = await lying.run("What is the refund window for annual plans?", { tenant: acme });
    expect(result.validation?.status).toBe("unsupported");
    expect(result.validation?.issues.join("\n")).toMatch(/number 90 not in the cited source/);
    expect(result.validation?.issues.join("\n")).toMatch(/\[7\] does not refer to a retrieved passage/);
  });
});

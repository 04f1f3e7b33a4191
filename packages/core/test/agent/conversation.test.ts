import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SUPERSEDED_NOTE } from "../../src/agent/approval.js";
import type { AgentEvent, AgentEventOf } from "../../src/agent/events.js";
import { createRagAgent } from "../../src/agent/graph.js";
import type { ConversationMessage } from "../../src/agent/messages.js";
import type { AnswerInput } from "../../src/agent/models.js";
import { textWriter } from "../../src/agent/nodes/common.js";
import { offlineAnswer } from "../../src/agent/offline.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { exampleSalesRows, seedExampleSales } from "../../src/tools/sql/example-data.js";
import { startDatabase, type TestDatabase } from "../support/databases.js";
import { ACME_DOCS } from "./fixtures.js";
import { collect, of, seedTenants } from "./support.js";

/*
 * The conversation a thread stores is the conversation its events showed: every message has the id it streamed
 * under, approvals are visible as messages, a pending approval never blocks a new message, a stopped answer is
 * kept as far as it streamed.
 */

let db: TestDatabase;
let store: KnowledgeStore;
const acme = createTenantContext({ tenantId: "conv-acme", userId: "ann", source: "test" });

beforeAll(async () => {
  db = await startDatabase("pglite");
  store = await KnowledgeStore.open({ driver: db.driver });
  await seedTenants(store, [[acme, ACME_DOCS]]);
  await seedExampleSales(store, acme, exampleSalesRows({ scale: 1, regions: ["North", "South"] }));
});
afterAll(async () => {
  await store?.close();
  await db?.stop();
});

/** Folds `message` events (upserts by id) and streamed text over a conversation, like a chat client does. */
function fold(before: readonly ConversationMessage[], events: AgentEvent[]): ConversationMessage[] {
  const out = before.map((m) => ({ ...m }));
  for (const e of events) {
    if (e.type === "text_delta") {
      const m = out.find((x) => x.id === e.messageId);
      if (m) m.content = (e.reset ? "" : m.content) + e.delta;
      else out.push({ id: e.messageId, role: "assistant", content: e.delta });
    }
    if (e.type === "message") {
      const i = out.findIndex((x) => x.id === e.message.id);
      if (i >= 0) out[i] = e.message;
      else out.push(e.message);
    }
  }
  return out;
}

async function conversation(agent: ReturnType<typeof createRagAgent>, threadId: string) {
  const [latest] = await agent.listCheckpoints(acme, threadId, { limit: 1 });
  return (await agent.getStateAt(acme, threadId, latest!.checkpointId)).conversation;
}

describe("the stored conversation is the streamed one", () => {
  it("keeps the client's message id and the answer's streamed id", async () => {
    const agent = createRagAgent({ store });
    const threadId = "ids-1";
    const events = await collect(
      agent.stream("What is the refund window for annual plans?", {
        tenant: acme,
        threadId,
        messageId: "client-m1",
      }),
    );
    const [user] = of(events, "message");
    expect(user?.message).toEqual({ id: "client-m1", role: "user", content: expect.any(String) });
    const answerId = of(events, "text_delta")[0]!.messageId;
    expect(of(events, "text_delta").every((e) => e.messageId === answerId)).toBe(true);
    const stored = await conversation(agent, threadId);
    expect(stored.map((m) => [m.id, m.role])).toEqual([
      ["client-m1", "user"],
      [answerId, "assistant"],
    ]);
    expect(fold([], events)).toEqual(stored);
    // A client id that is already taken on the thread is not reused (it would overwrite that message).
    const again = await collect(
      agent.stream("And for monthly plans?", { tenant: acme, threadId, messageId: answerId }),
    );
    expect(of(again, "message")[0]!.message.id).not.toBe(answerId);
  });

  it("a data answer is one assistant message carrying its tool calls, followed by their results", async () => {
    const agent = createRagAgent({ store, requireApprovalFor: [] });
    const threadId = "tools-1";
    const events = await collect(agent.stream("Chart monthly sales by region", { tenant: acme, threadId }));
    const stored = await conversation(agent, threadId);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool"]);
    const answer = stored[1]!;
    expect(answer.content).toMatch(/the chart shows the \d+ rows the query returned/);
    expect(answer.toolCalls?.map((c) => c.name)).toEqual(["query_database", "create_visualization"]);
    expect(stored.slice(2).map((m) => m.toolCallId)).toEqual(answer.toolCalls?.map((c) => c.id));
    expect(fold([], events)).toEqual(stored);
  });
});

describe("approvals any chat can see and answer", () => {
  const question = "Chart monthly sales by region";

  it("shows a note message; a typed 'approve' runs the query, kept in the history as the user's reply", async () => {
    const agent = createRagAgent({ store });
    const threadId = "approve-typed";
    const first = await collect(agent.stream(question, { tenant: acme, threadId }));
    const interrupt = of(first, "interrupt")[0]!.interrupt;
    const note = of(first, "message").find((e) => e.message.role === "assistant")!.message;
    expect(interrupt.messageId).toBe(note.id);
    expect(note.content).toMatch(
      /^Waiting for your approval to run query_database: Run this read-only query/,
    );
    expect(note.content).toContain("Reply approve to run it or reject to skip it");
    expect(note.content).toContain("SELECT");
    // The note streamed like any answer.
    expect(of(first, "text_delta").filter((e) => e.messageId === note.id).length).toBeGreaterThan(5);
    expect(await conversation(agent, threadId)).toEqual(fold([], first));

    const reply = await collect(agent.stream("approve", { tenant: acme, threadId, messageId: "reply-1" }));
    expect(of(reply, "approval")).toMatchObject([
      { tool: "query_database", decision: { type: "approve" }, via: "reply" },
    ]);
    const done = reply.at(-1) as AgentEventOf<"run_finished">;
    expect(done).toMatchObject({ type: "run_finished", status: "completed", answerKind: "data" });
    // The question stays the chart request (the reply is not taken as the question): a chart was drawn.
    expect(of(reply, "tool_call").map((e) => e.toolCall.name)).toEqual([
      "query_database",
      "create_visualization",
    ]);
    const stored = await conversation(agent, threadId);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "tool", "tool"]);
    expect(stored[2]).toEqual({ id: "reply-1", role: "user", content: "approve" });
    expect(stored).toEqual(fold(fold([], first), reply));
    expect(await agent.getPendingInterrupt(acme, threadId)).toBeNull();
  });

  it("a typed 'reject' skips the query", async () => {
    const agent = createRagAgent({ store });
    const threadId = "reject-typed";
    await collect(agent.stream(question, { tenant: acme, threadId }));
    const reply = await collect(agent.stream("Reject.", { tenant: acme, threadId }));
    expect(of(reply, "approval")[0]).toMatchObject({ decision: { type: "reject" }, via: "reply" });
    expect(of(reply, "tool_call")).toEqual([]);
    expect(reply.at(-1)).toMatchObject({
      type: "run_finished",
      answer: "The database query was not approved.",
    });
  });

  it("a new message declines the pending approval with a note in the history, and is answered", async () => {
    const agent = createRagAgent({ store });
    const threadId = "superseded-1";
    const first = await collect(agent.stream(question, { tenant: acme, threadId }));
    const noteId = of(first, "interrupt")[0]!.interrupt.messageId!;
    const next = await collect(
      agent.stream("How long does standard shipping take?", { tenant: acme, threadId, messageId: "u2" }),
    );
    expect(of(next, "approval")).toMatchObject([
      { tool: "query_database", decision: { type: "reject", reason: "superseded" }, via: "superseded" },
    ]);
    expect(next.at(-1)).toMatchObject({ type: "run_finished", status: "completed" });
    expect((next.at(-1) as AgentEventOf<"run_finished">).answer).toContain("3 to 5 business days");
    expect(of(next, "tool_call")).toEqual([]); // the query never ran
    const stored = await conversation(agent, threadId);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(stored[1]!.id).toBe(noteId);
    expect(stored[1]!.content.endsWith(SUPERSEDED_NOTE)).toBe(true);
    expect(stored).toEqual(fold(fold([], first), next));
    expect(await agent.getPendingInterrupt(acme, threadId)).toBeNull();
  });
});

describe("a stopped answer", () => {
  it("is kept as far as it streamed, so the next message does not follow a bare question", async () => {
    const agent = createRagAgent({
      store,
      models: {
        // Streams three words of the offline answer, then waits until the run is stopped.
        async answer(input: AnswerInput) {
          const deltas: string[] = [];
          const out = offlineAnswer({ ...input, onDelta: (d) => deltas.push(d) });
          for (const d of deltas.slice(0, 3)) input.onDelta(d);
          await new Promise<void>((_, reject) => {
            input.signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
          });
          return out;
        },
      },
    });
    const threadId = "stopped-1";
    const controller = new AbortController();
    const events: AgentEvent[] = [];
    for await (const e of agent.stream("What is the refund window for annual plans?", {
      tenant: acme,
      threadId,
      signal: controller.signal,
    })) {
      events.push(e);
      // The user presses stop once three words are on the screen.
      if (of(events, "text_delta").length === 3 && !controller.signal.aborted) controller.abort();
    }
    expect(events.at(-1)).toMatchObject({ type: "run_error", code: "aborted" });
    const streamed = of(events, "text_delta")
      .map((e) => e.delta)
      .join("");
    expect(streamed.length).toBeGreaterThan(0);
    const stored = await conversation(agent, threadId);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(stored[1]!.content).toBe(streamed);
    expect(fold([], events)).toEqual(stored);

    const next = await collect(createRagAgent({ store }).stream("Thanks!", { tenant: acme, threadId }));
    expect(next.at(-1)).toMatchObject({ type: "run_finished" });
    expect((await conversation(agent, threadId)).map((m) => m.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
  });
});

describe("offline text is paced so that it visibly streams", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits offlineStreamDelayMs between words, and not at all with 0", async () => {
    vi.useFakeTimers();
    const written: string[] = [];
    const config = { writer: (p: { delta: string }) => written.push(p.delta) } as never;
    const paced = textWriter(config, { offlineStreamDelayMs: 40 }, "m", true);
    paced.text("one two three");
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual(["one "]);
    await vi.advanceTimersByTimeAsync(39);
    expect(written).toEqual(["one "]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual(["one ", "two "]);
    await vi.advanceTimersByTimeAsync(40);
    await paced.drain();
    expect(written).toEqual(["one ", "two ", "three"]);

    written.length = 0;
    const instant = textWriter(config, { offlineStreamDelayMs: 40 }, "m", false);
    instant.text("one two");
    expect(written).toEqual(["one ", "two"]);
  });

  it("changes nothing but the pace: the same answer, word by word", async () => {
    const question = "What is the refund window for annual plans?";
    const plain = await collect(createRagAgent({ store }).stream(question, { tenant: acme }));
    const paced = await collect(
      createRagAgent({ store, offlineStreamDelayMs: 1 }).stream(question, { tenant: acme }),
    );
    const text = (events: AgentEvent[]) => of(events, "text_delta").map((e) => e.delta);
    expect(text(paced)).toEqual(text(plain));
    expect(text(paced).length).toBeGreaterThan(10);
    expect(() => createRagAgent({ store, offlineStreamDelayMs: -1 })).toThrow();
  });
});

import type { BaseEvent, Message } from "@ag-ui/client";
import { EventSchemas } from "@ag-ui/core";
import { CopilotKitCore, ProxiedCopilotRuntimeAgent } from "@copilotkit/core";
import type { AgentModels, AnswerInput, AnswerOutput, Citation } from "@ragkit/core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { z } from "zod";
import { get, json, post, startWorld, type World } from "../chat/support.js";

/*
 * The live stream and the replayed thread are the same conversation. For each kind of run, what CopilotKit's
 * own client folds from the live AG-UI events (`agent.messages`) equals what a fresh client gets from
 * `connect` (a reload), and the threads API shows the same text turns under the same ids.
 */

let w: World;
let hitl: World;
let judged: World;
let tools: World;
const applied: string[] = [];
const contexts: unknown[] = [];

const BUDGET = "The aurora project budget is five million euros for the first year";

function citeFirst(input: AnswerInput): Citation[] {
  const p = input.passages[0];
  if (!p) return [];
  return [
    {
      marker: 1,
      chunkId: p.chunkId,
      documentId: p.documentId,
      documentTitle: p.documentTitle,
      start: p.start,
      end: p.end,
      quote: p.text,
      pageNumber: null,
    },
  ];
}

function streamed(input: AnswerInput, text: string): AnswerOutput {
  for (const word of text.match(/\S+\s*/g) ?? []) input.onDelta(word);
  return { text, citations: citeFirst(input), kind: "generative" };
}

/** A generative answer the judge rejects once: the agent regenerates it (same message, new text). */
const regenerating: Partial<AgentModels> = {
  answer: (input) =>
    streamed(input, input.feedback ? `${BUDGET} [1].` : "The aurora budget is ten million dollars [1]."),
  judge: (input) =>
    input.answer.includes("ten million")
      ? {
          status: "unsupported",
          claims: [{ sentence: input.answer, markers: [1], supported: false, overlap: 0.2 }],
          issues: ["ten million dollars is not in [1]"],
        }
      : { status: "supported", claims: [], issues: [] },
};

/** An answer model that first asks the client to run its `set_theme` tool, then answers with its result. */
const callingTheClient: Partial<AgentModels> = {
  answer(input) {
    contexts.push(input.client?.context);
    const round = input.client?.rounds[0];
    if (input.client?.tools.some((t) => t.name === "set_theme") && !round) {
      return {
        text: "",
        citations: [],
        kind: "generative",
        toolCalls: [{ id: "call_theme", name: "set_theme", args: { theme: "dark" } }],
      };
    }
    return streamed(input, `Switched (${round?.results[0]?.content ?? "no result"}). ${BUDGET} [1].`);
  },
};

beforeAll(async () => {
  w = await startWorld();
  hitl = await startWorld({ id: "approver", options: { requireApprovalFor: ["retrieve"] } }, w.store);
  judged = await startWorld({ options: { models: regenerating } }, w.store);
  tools = await startWorld({ options: { models: callingTheClient } }, w.store);
});

afterAll(async () => {
  for (const world of [tools, judged, hitl, w]) await world?.close();
});

const runtime = (world: World) => `${world.served.url}/copilotkit`;

/** CopilotKit's own client for the agent, as the stock chat UIs use it. */
function client(world: World, threadId: string, agentId = "ragkit") {
  return new ProxiedCopilotRuntimeAgent({
    runtimeUrl: runtime(world),
    agentId,
    headers: { authorization: `Bearer ${world.tokenA}` },
    transport: "rest",
    threadId,
  });
}

/** Sends a user message; returns the AG-UI events the client received (each checked against @ag-ui/core). */
async function send(agent: ProxiedCopilotRuntimeAgent, text: string): Promise<BaseEvent[]> {
  agent.addMessage({ id: crypto.randomUUID(), role: "user", content: text });
  const events: BaseEvent[] = [];
  await agent.runAgent(
    {},
    {
      onEvent: ({ event }) => {
        EventSchemas.parse(event);
        events.push(event);
      },
    },
  );
  return events;
}

/** Messages compared field by field (ids, roles, text, tool calls and the calls results answer). */
function normalize(messages: readonly Message[]) {
  return messages.map((m) => {
    const x = m as Message & {
      toolCalls?: Array<{ id: string; function: { name: string; arguments: string } }>;
    };
    return {
      id: x.id,
      role: x.role,
      content: typeof x.content === "string" ? x.content : "",
      ...(x.toolCalls?.length
        ? {
            toolCalls: x.toolCalls.map((c) => ({
              id: c.id,
              name: c.function.name,
              args: JSON.parse(c.function.arguments),
            })),
          }
        : {}),
      ...("toolCallId" in x ? { toolCallId: x.toolCallId } : {}),
    };
  });
}

/** Live == replay == threads API, for one thread. */
async function expectSameConversation(
  world: World,
  threadId: string,
  live: readonly Message[],
  agentId?: string,
) {
  const reloaded = client(world, threadId, agentId);
  await reloaded.connectAgent();
  expect(normalize(reloaded.messages)).toEqual(normalize(live));
  const detail = await json<{ thread: { messages: Array<{ id: string; role: string; content: string }> } }>(
    await get(world.served.url, `/threads/${threadId}`, world.tokenA),
  );
  const turns = normalize(live)
    .filter((m) => (m.role === "user" || m.role === "assistant") && m.content !== "")
    .map(({ id, role, content }) => ({ id, role, content }));
  expect(detail.thread.messages).toEqual(turns);
  // Never an empty assistant message: every one has text or tool calls.
  for (const m of normalize(live))
    if (m.role === "assistant") expect(m.content !== "" || m.toolCalls).toBeTruthy();
}

const of = (events: BaseEvent[], type: string) =>
  events.filter((e) => e.type === type) as Array<BaseEvent & Record<string, unknown>>;

describe("live stream == connect replay == threads API", () => {
  it("a normal run, then a follow-up turn", async () => {
    const threadId = crypto.randomUUID();
    const agent = client(w, threadId);
    await send(agent, "What is the aurora budget?");
    await send(agent, "And what about it?");
    expect(agent.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    await expectSameConversation(w, threadId, agent.messages);
  });

  it("a run with backend tool calls: one assistant message carries them (parentMessageId), results follow", async () => {
    const { seedExampleSales } = await import("@ragkit/core");
    await seedExampleSales(w.store, w.a);
    const threadId = crypto.randomUUID();
    const agent = client(w, threadId);
    const events = await send(agent, "Chart monthly sales by region");
    const answer = agent.messages.find((m) => m.role === "assistant")!;
    for (const start of of(events, "TOOL_CALL_START")) expect(start.parentMessageId).toBe(answer.id);
    expect(normalize(agent.messages).map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool"]);
    expect(normalize([answer])[0]?.toolCalls?.map((c) => c.name)).toEqual([
      "query_database",
      "create_visualization",
    ]);
    await expectSameConversation(w, threadId, agent.messages);
  });

  it("a regenerated answer (the judge found it unsupported) is shown once, live and after reload", async () => {
    const threadId = crypto.randomUUID();
    const agent = client(judged, threadId);
    const events = await send(agent, "What is the aurora budget?");
    expect(of(events, "MESSAGES_SNAPSHOT").length).toBeGreaterThan(0); // the first text was replaced
    const answers = agent.messages.filter((m) => m.role === "assistant");
    expect(answers).toHaveLength(1);
    expect(answers[0]?.content).toBe(`${BUDGET} [1].`);
    await expectSameConversation(judged, threadId, agent.messages);
  });

  it("a stopped answer is kept as far as it streamed; the next message does not follow a bare question", async () => {
    const threadId = crypto.randomUUID();
    const agent = client(w, threadId);
    agent.addMessage({ id: crypto.randomUUID(), role: "user", content: "What is the aurora budget?" });
    w.gate.hold();
    try {
      w.gate.release(4);
      const running = agent.runAgent().catch(() => null);
      await vi.waitFor(
        () => {
          const text = agent.messages.find((m) => m.role === "assistant")?.content;
          expect(typeof text === "string" ? text.split(/\s+/).filter(Boolean).length : 0).toBe(4);
        },
        { timeout: 30_000 },
      );
      const stop = await post(w.served.url, `/copilotkit/agent/ragkit/stop/${threadId}`, w.tokenA, {});
      expect(await stop.json()).toEqual({ stopped: 1 });
      await running;
    } finally {
      w.gate.open();
    }
    await vi.waitFor(async () => {
      const run = await json<{ threads: Array<{ threadId: string; lastStatus: string }> }>(
        await get(w.served.url, "/threads", w.tokenA),
      );
      expect(run.threads.find((t) => t.threadId === threadId)?.lastStatus).toBe("cancelled");
    });
    expect(agent.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    await expectSameConversation(w, threadId, agent.messages);
    await send(agent, "Thanks!");
    expect(agent.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    await expectSameConversation(w, threadId, agent.messages);
  });
});

describe("a pending approval never strands a thread", () => {
  it("shows the approval as a message; a new message declines it; a typed 'approve' answers it", async () => {
    const threadId = crypto.randomUUID();
    const agent = client(hitl, threadId, "approver");
    const first = await send(agent, "What is the aurora budget?");
    // No standard interrupt outcome by default: AG-UI clients would refuse every later message.
    const finished = of(first, "RUN_FINISHED")[0]!;
    expect(finished.outcome).toBeUndefined();
    expect(of(first, "CUSTOM")[0]).toMatchObject({ name: "on_interrupt", value: { tool: "retrieve" } });
    const note = agent.messages.at(-1)!;
    expect(note.role).toBe("assistant");
    expect(note.content).toMatch(/^Waiting for your approval to run retrieve: .*Reply approve to run it/s);
    await expectSameConversation(hitl, threadId, agent.messages, "approver");

    // The user moves on: the search is declined, visibly, and the new message is answered (asks again here).
    await send(agent, "What does the cafeteria serve?");
    expect(agent.messages[1]?.content).toMatch(/Not run: you sent a new message instead\.$/);
    expect(agent.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    await expectSameConversation(hitl, threadId, agent.messages, "approver");

    // A chat without approval buttons answers by typing.
    const approved = await send(agent, "approve");
    expect(of(approved, "RUN_FINISHED")[0]?.result).toMatchObject({ status: "completed" });
    expect(agent.messages.map((m) => m.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
    expect(agent.messages.at(-2)?.content).toBe("approve");
    await expectSameConversation(hitl, threadId, agent.messages, "approver");
    const detail = await json<{ thread: { interrupt: unknown } }>(
      await get(hitl.served.url, `/threads/${threadId}`, hitl.tokenA),
    );
    expect(detail.thread.interrupt).toBeNull();
    await vi.waitFor(async () => {
      const audit = await w.store.audit.list(w.a, { limit: 200 });
      const vias = audit
        .filter((r) => r.action === "agent.approval" && r.resourceId === threadId)
        .map((r) => (r.details as { via: string }).via);
      expect(vias.sort()).toEqual(["reply", "superseded"]);
    });
  });
});

describe("frontend tools (CopilotKit executes them in the browser)", () => {
  it("the model's call reaches the client's tool; its result continues the run; context reaches the model", async () => {
    vi.stubGlobal("window", globalThis);
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const core = new CopilotKitCore({
      runtimeUrl: runtime(tools),
      headers: { authorization: `Bearer ${tools.tokenA}` },
    });
    core.addTool({
      name: "set_theme",
      description: "Switches the app's colour theme.",
      parameters: z.object({ theme: z.enum(["light", "dark"]) }),
      handler: async ({ theme }) => {
        applied.push(theme);
        return { applied: theme };
      },
    });
    core.addContext({ description: "Current page", value: "Budget overview" });
    await vi.waitFor(() => expect(core.getAgent("ragkit")).toBeDefined());
    const agent = core.getAgent("ragkit")!;
    const threadId = crypto.randomUUID();
    agent.threadId = threadId;
    agent.addMessage({
      id: crypto.randomUUID(),
      role: "user",
      content: "Make it dark, and what is the aurora budget?",
    });
    await core.runAgent({ agent });
    await vi.waitFor(() => expect(agent.messages.at(-1)?.content).toMatch(/five million euros/));
    expect(applied).toEqual(["dark"]);
    const live = normalize(agent.messages);
    expect(live.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(live[1]?.toolCalls).toEqual([{ id: "call_theme", name: "set_theme", args: { theme: "dark" } }]);
    expect(live[2]).toMatchObject({ toolCallId: "call_theme", content: '{"applied":"dark"}' });
    expect(live[3]?.content).toContain('Switched ({"applied":"dark"})');
    expect(contexts.at(-1)).toEqual([{ description: "Current page", value: "Budget overview" }]);
    await expectSameConversation(tools, threadId, agent.messages);
  });

  it("client tools that shadow the agent's own, or are malformed, are a 400 before anything runs", async () => {
    for (const list of [
      [{ name: "query_database", description: "mine now" }],
      [{ name: "has spaces" }],
      [{ name: "twice" }, { name: "twice" }],
    ]) {
      const res = await post(w.served.url, "/copilotkit/agent/ragkit/run", w.tokenA, {
        threadId: crypto.randomUUID(),
        runId: crypto.randomUUID(),
        messages: [{ id: "u1", role: "user", content: "hello" }],
        tools: list,
      });
      expect(res.status, JSON.stringify(list)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
    }
  });

  it("a tool result with no call waiting is a 409; app state keys of the client become bounded context", async () => {
    const threadId = crypto.randomUUID();
    const res = await post(tools.served.url, "/copilotkit/agent/ragkit/run", tools.tokenA, {
      threadId,
      runId: crypto.randomUUID(),
      messages: [{ id: "t1", role: "tool", toolCallId: "nope", content: "1" }],
    });
    expect(res.status).toBe(409);
    contexts.length = 0;
    const run = await post(tools.served.url, "/copilotkit/agent/ragkit/run", tools.tokenA, {
      threadId,
      runId: crypto.randomUUID(),
      messages: [{ id: "u1", role: "user", content: "What is the aurora budget?" }],
      state: { step: "start", progress: 0, cart: { items: 3 }, tenantId: "tenant-b" },
      context: [{ description: "Locale", value: "en-GB" }],
    });
    await run.text();
    expect(contexts[0]).toEqual([
      { description: "Locale", value: "en-GB" },
      { description: "App state", value: '{"cart":{"items":3},"tenantId":"tenant-b"}' },
    ]);
  });
});

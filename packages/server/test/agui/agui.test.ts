import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type BaseEvent, HttpAgent } from "@ag-ui/client";
import { EventSchemas } from "@ag-ui/core";
import { CopilotKitCore, ProxiedCopilotRuntimeAgent } from "@copilotkit/core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { type Frame, get, json, post, readSse, startWorld, type World } from "../chat/support.js";
import { eventually } from "../support.js";

let w: World;
let hitl: World;

beforeAll(async () => {
  w = await startWorld();
  // A second handler on the same store whose agent asks before retrieving (human in the loop), ending
  // interrupted runs with AG-UI's standard interrupt outcome too (for clients that all use useInterrupt).
  hitl = await startWorld(
    { id: "approver", standardInterrupts: true, options: { requireApprovalFor: ["retrieve"] } },
    w.store,
  );
});

afterAll(async () => {
  await hitl?.close();
  await w?.close();
});

const runtime = (world: World) => `${world.served.url}/copilotkit`;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

function httpAgent(world: World, token: string, agentId = "ragkit", threadId = crypto.randomUUID()) {
  return new HttpAgent({ url: `${runtime(world)}/agent/${agentId}/run`, headers: auth(token), threadId });
}

/** Runs an agent, collecting every event and checking each against @ag-ui/core's schema. */
async function runCollect(
  agent: HttpAgent,
  params: Parameters<HttpAgent["runAgent"]>[0] = {},
): Promise<BaseEvent[]> {
  const events: BaseEvent[] = [];
  await agent.runAgent(params, {
    onEvent: ({ event }) => {
      EventSchemas.parse(event);
      events.push(event);
    },
  });
  return events;
}

const textOf = (m: { content?: unknown } | undefined) => (typeof m?.content === "string" ? m.content : "");

describe("GET /copilotkit/info and the single-endpoint envelope", () => {
  it("describes the agent like CopilotKit's runtime, with @ragkit/server's real version", async () => {
    const res = await fetch(`${runtime(w)}/info`);
    expect(res.status).toBe(200);
    const info = await json<{ agents: Record<string, { name: string }>; mode: string; version: string }>(res);
    expect(Object.keys(info.agents)).toEqual(["ragkit"]);
    expect(info.mode).toBe("sse");
    const { version } = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8"),
    );
    expect(info.version).toBe(version);
    const single = await post(w.served.url, "/copilotkit", w.tokenA, { method: "info" });
    expect(await single.json()).toEqual(info);
  });
});

describe("AG-UI HttpAgent (@ag-ui/client 0.0.59)", () => {
  it("runs a turn: verified event order, assistant message, shared state with citations", async () => {
    const agent = httpAgent(w, w.tokenA);
    agent.addMessage({ id: crypto.randomUUID(), role: "user", content: "What is the aurora budget?" });
    const events = await runCollect(agent);
    expect(events[0]?.type).toBe("RUN_STARTED");
    expect(events.at(-1)?.type).toBe("RUN_FINISHED");
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      "STEP_STARTED",
      "STEP_FINISHED",
      "TEXT_MESSAGE_START",
      "TEXT_MESSAGE_CONTENT",
      "TEXT_MESSAGE_END",
      "STATE_SNAPSHOT",
      "STATE_DELTA",
    ]) {
      expect(types, t).toContain(t);
    }
    const reply = agent.messages.at(-1);
    expect(reply?.role).toBe("assistant");
    expect(textOf(reply)).toContain("five million euros");
    const state = agent.state as { citations: unknown[]; step: string; progress: number; thoughts: string[] };
    expect(state.citations.length).toBeGreaterThan(0);
    expect(state.progress).toBe(1);
    expect(state.thoughts.length).toBeGreaterThan(0);
  });

  it("renders backend tool calls with their results", async () => {
    const { seedExampleSales } = await import("@ragkit/core");
    await seedExampleSales(w.store, w.a);
    const agent = httpAgent(w, w.tokenA);
    agent.addMessage({
      id: crypto.randomUUID(),
      role: "user",
      content: "What is the total revenue by region?",
    });
    const events = await runCollect(agent);
    const start = events.find((e) => e.type === "TOOL_CALL_START") as BaseEvent & { toolCallName: string };
    expect(start.toolCallName).toBe("query_database");
    const tool = agent.messages.find((m) => m.role === "tool");
    expect(JSON.parse(textOf(tool))).toMatchObject({ rowCount: expect.any(Number) });
  });

  it("pauses for approval (CUSTOM on_interrupt + interrupt outcome) and resumes both ways", async () => {
    for (const resume of ["legacy", "standard"] as const) {
      const agent = httpAgent(hitl, hitl.tokenA, "approver");
      agent.addMessage({ id: crypto.randomUUID(), role: "user", content: "What is the aurora budget?" });
      const first = await runCollect(agent);
      const custom = first.find((e) => e.type === "CUSTOM") as BaseEvent & {
        name: string;
        value: { id: string };
      };
      expect(custom.name).toBe("on_interrupt");
      const finished = first.at(-1) as BaseEvent & {
        outcome?: { type: string; interrupts: { id: string }[] };
      };
      expect(finished.outcome?.type).toBe("interrupt");
      expect(finished.outcome?.interrupts[0]?.id).toBe(custom.value.id);
      expect((agent.state as { interrupt: unknown }).interrupt).toMatchObject({ tool: "retrieve" });

      if (resume === "standard") {
        // What useInterrupt's resolve() sends when the run finished with an interrupt outcome.
        const second = await runCollect(agent, {
          resume: [{ interruptId: custom.value.id, status: "resolved", payload: { type: "approve" } }],
        });
        expect(second.at(-1)?.type).toBe("RUN_FINISHED");
        expect(textOf(agent.messages.at(-1))).toContain("five million euros");
      } else {
        // The legacy LangGraph-style resume (forwardedProps.command.resume), as older clients send it.
        // CopilotKit re-sends the interrupted run's id when it resumes: the server must accept it.
        const interruptedRunId = (first[0] as BaseEvent & { runId: string }).runId;
        const res = await post(hitl.served.url, "/copilotkit/agent/approver/run", hitl.tokenA, {
          threadId: agent.threadId,
          runId: interruptedRunId,
          messages: agent.messages,
          forwardedProps: { command: { resume: { approved: true }, interruptEvent: custom.value } },
        });
        expect(res.status).toBe(200);
        const events = (await readSse(res)).frames.map((f) => EventSchemas.parse(JSON.parse(f.data)));
        expect(events.at(-1)?.type).toBe("RUN_FINISHED");
        expect((events[0] as BaseEvent & { runId: string }).runId).toBe(interruptedRunId);
        const text = events
          .filter((e) => e.type === "TEXT_MESSAGE_CONTENT")
          .map((e) => (e as BaseEvent & { delta: string }).delta)
          .join("");
        expect(text).toContain("five million euros");
      }
    }
  });
});

describe("CopilotKit's client (ProxiedCopilotRuntimeAgent from @copilotkit/core)", () => {
  for (const transport of ["rest", "single"] as const) {
    it(`${transport}: runs, then replays the thread with connect`, async () => {
      const threadId = crypto.randomUUID();
      const make = () =>
        new ProxiedCopilotRuntimeAgent({
          runtimeUrl: runtime(w),
          agentId: "ragkit",
          headers: auth(w.tokenA),
          transport,
          threadId,
        });
      const agent = make();
      agent.addMessage({ id: crypto.randomUUID(), role: "user", content: "What is the aurora budget?" });
      await agent.runAgent();
      expect(textOf(agent.messages.at(-1))).toContain("five million euros");

      // A fresh client (page reload): history comes back from Postgres.
      const reloaded = make();
      await reloaded.connectAgent();
      expect(reloaded.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
      expect(textOf(reloaded.messages[1])).toContain("five million euros");
      expect((reloaded.state as { citations: unknown[] }).citations.length).toBeGreaterThan(0);
    });
  }

  it("CopilotKitCore with runtimeUrl discovers the agent via /info, runs it, and a new core restores the thread", async () => {
    // CopilotKitCore only talks to the runtime in a browser (it checks `typeof window`): look like one.
    vi.stubGlobal("window", globalThis);
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const threadId = crypto.randomUUID();
    const core = new CopilotKitCore({ runtimeUrl: runtime(w), headers: auth(w.tokenA) });
    await eventually(() => expect(core.getAgent("ragkit")).toBeDefined());
    const agent = core.getAgent("ragkit")!;
    agent.threadId = threadId;
    agent.addMessage({ id: crypto.randomUUID(), role: "user", content: "What is the aurora budget?" });
    await core.runAgent({ agent });
    expect(textOf(agent.messages.at(-1))).toContain("five million euros");

    const reloaded = new CopilotKitCore({ runtimeUrl: runtime(w), headers: auth(w.tokenA) });
    await eventually(() => expect(reloaded.getAgent("ragkit")).toBeDefined());
    const again = reloaded.getAgent("ragkit")!;
    again.threadId = threadId;
    await reloaded.connectAgent({ agent: again });
    expect(again.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("stop/:threadId aborts the run (RUN_ERROR) and marks it cancelled", async () => {
    w.gate.hold();
    try {
      const threadId = crypto.randomUUID();
      const runId = crypto.randomUUID();
      const res = await post(w.served.url, "/copilotkit/agent/ragkit/run", w.tokenA, {
        threadId,
        runId,
        messages: [{ id: "m1", role: "user", content: "What is the aurora budget?" }],
      });
      const reading = readSse(res);
      const stopB = await post(w.served.url, `/copilotkit/agent/ragkit/stop/${threadId}`, w.tokenB, {});
      expect(await stopB.json()).toEqual({ stopped: 0 });
      const stop = await fetch(`${w.served.url}/copilotkit/agent/ragkit/stop/${threadId}`, {
        method: "POST",
        headers: auth(w.tokenA),
      });
      expect(stop.status).toBe(200);
      const { frames } = await reading;
      const events = frames.map((f: Frame) => JSON.parse(f.data) as { type: string; code?: string });
      expect(events[0]?.type).toBe("RUN_STARTED");
      expect(events.at(-1)).toMatchObject({ type: "RUN_ERROR", code: "aborted" });
      await eventually(async () => {
        const run = await json<{ run: { status: string } }>(
          await get(w.served.url, `/runs/${runId}`, w.tokenA),
        );
        expect(run.run.status).toBe("cancelled");
      });
    } finally {
      w.gate.open();
    }
  });
});

describe("tenant isolation", () => {
  it("tenant B cannot replay, resume or stop A's thread; tenant ids in the input are ignored", async () => {
    const threadId = crypto.randomUUID();
    const a = httpAgent(hitl, hitl.tokenA, "approver", threadId);
    a.addMessage({ id: crypto.randomUUID(), role: "user", content: "What is the aurora budget?" });
    await runCollect(a);

    const replay = await readSse(
      await post(hitl.served.url, "/copilotkit/agent/approver/connect", hitl.tokenB, {
        threadId,
        runId: crypto.randomUUID(),
        messages: [],
      }),
    );
    expect(replay.frames.map((f) => (JSON.parse(f.data) as { type: string }).type)).toEqual([
      "RUN_STARTED",
      "RUN_FINISHED",
    ]);
    const resume = await post(hitl.served.url, "/copilotkit/agent/approver/run", hitl.tokenB, {
      threadId,
      runId: crypto.randomUUID(),
      messages: [],
      forwardedProps: { command: { resume: "approve" } },
    });
    expect(resume.status).toBe(409);

    const spoof = await post(
      w.served.url,
      "/copilotkit/agent/ragkit/run",
      w.tokenB,
      {
        threadId: crypto.randomUUID(),
        runId: crypto.randomUUID(),
        messages: [{ id: "m", role: "user", content: "What is the aurora budget?" }],
        forwardedProps: { tenantId: "tenant-a", tenant_id: "tenant-a" },
        state: { tenantId: "tenant-a" },
        tenantId: "tenant-a",
      },
      { "x-tenant-id": "tenant-a" },
    );
    const events = (await readSse(spoof)).frames.map(
      (f) => JSON.parse(f.data) as { type: string; delta?: string },
    );
    const text = events
      .filter((e) => e.type === "TEXT_MESSAGE_CONTENT")
      .map((e) => e.delta)
      .join("");
    expect(text).not.toContain("five million");
    // A still has the pending approval.
    const detail = await json<{ thread: { interrupt: unknown } }>(
      await get(hitl.served.url, `/threads/${threadId}`, hitl.tokenA),
    );
    expect(detail.thread.interrupt).not.toBeNull();
  });

  it("unknown agents are 404; a reused run id is stored as a new run (CopilotKit re-sends ids on resume)", async () => {
    const body = {
      threadId: "t-x",
      runId: "r-fixed",
      messages: [{ id: "m", role: "user", content: "hello" }],
    };
    expect((await post(w.served.url, "/copilotkit/agent/nope/run", w.tokenA, body)).status).toBe(404);
    const first = await post(w.served.url, "/copilotkit/agent/ragkit/run", w.tokenA, body);
    await readSse(first);
    const again = await post(w.served.url, "/copilotkit/agent/ragkit/run", w.tokenA, {
      ...body,
      threadId: "t-y",
    });
    expect(again.status).toBe(200);
    await readSse(again);
    // Two stored runs: the second under a server-chosen id (x-run-id), the stream keeps the client's id.
    expect(again.headers.get("x-run-id")).not.toBe("r-fixed");
    expect(first.headers.get("x-run-id")).toBe("r-fixed");
    // The same run id in another tenant is another run.
    const other = await post(w.served.url, "/copilotkit/agent/ragkit/run", w.tokenB, body);
    expect(other.status).toBe(200);
    await readSse(other);
  });
});

import { loadCore } from "../core.js";
import { HttpError, invalidInput, jsonResponse } from "../http.js";
import { defineRoute, type Route, type RouteContext } from "../router.js";
import type { RunStart } from "../runs/manager.js";
import { sseResponse } from "../runs/sse.js";
import { threadState } from "../threads/routes.js";
import { SERVER_VERSION } from "../version.js";
import {
  clientInput,
  envelopeSchema,
  type RunAgentInput,
  resumeDecision,
  runAgentInputSchema,
  stopInputSchema,
  textOf,
  trailingToolResults,
} from "./input.js";
import { type AguiEvent, AguiMapper, INTERRUPT_EVENT, interruptOutcome } from "./mapper.js";
import { toAguiMessage } from "./messages.js";

function checkAgent(c: RouteContext, agentId: string | undefined): void {
  if (agentId !== c.chat.options.id) throw new HttpError("not_found", "No such agent.");
}

function info(c: RouteContext): Response {
  const o = c.chat.options;
  return jsonResponse(200, {
    // The version of @ragkit/server answering (CopilotKit only displays it); the protocol is AG-UI 0.0.59.
    version: SERVER_VERSION,
    agents: {
      [o.id]: {
        name: o.name ?? o.id,
        description: o.description ?? "Answers questions from your knowledge base, with citations.",
        className: "RagKitAgent",
      },
    },
    mode: "sse",
    audioFileTranscriptionEnabled: false,
    threadEndpoints: false,
    suggestions: [],
    a2uiEnabled: false,
    openGenerativeUIEnabled: false,
    telemetryDisabled: true,
  });
}

const frame = (e: AguiEvent) => `data: ${JSON.stringify(e)}\n\n`;

function eventStream(c: RouteContext, events: AguiEvent[]): Response {
  return sseResponse(
    async function* () {
      for (const e of events) yield frame(e);
    },
    { heartbeatMs: c.chat.options.heartbeatMs, request: c.request },
  );
}

async function run(c: RouteContext, agentId: string | undefined, body: unknown): Promise<Response> {
  checkAgent(c, agentId);
  const parsed = runAgentInputSchema.safeParse(body);
  if (!parsed.success) throw invalidInput("RunAgentInput", parsed.error.issues);
  const input = parsed.data;
  // Client tools are checked before the run starts: a bad one is a 400, not a failed run.
  const tools = (await loadCore()).clientToolsSchema.safeParse(input.tools);
  if (!tools.success) throw invalidInput("RunAgentInput", tools.error.issues, ["tools"]);
  const { ctx } = await c.tenant();
  const manager = await c.chat.runs();
  const start = await runStart(c, input);
  const ids = { threadId: input.threadId, runId: input.runId };
  if (!start) {
    // Nothing for this agent to answer (no new user message, no answer to a pending approval or tool call).
    return eventStream(c, [
      { type: "RUN_STARTED", ...ids },
      { type: "RUN_FINISHED", ...ids },
    ]);
  }
  const started = await manager.start(ctx, start, {
    // AG-UI clients choose run ids, and CopilotKit re-sends an interrupted run's id when it resumes an approval:
    // the stored run then gets a new id (the stream keeps the client's id in its events).
    runId: input.runId,
    freshIdIfTaken: true,
    background: false,
    requestId: c.requestId,
    client: clientInput(input),
  });
  const subscription = new AbortController();
  const events = await manager.subscribe(ctx, started.id, 0, subscription.signal);
  const mapper = new AguiMapper(ids, {
    messages: input.messages,
    standardInterrupts: c.chat.options.standardInterrupts,
  });
  return sseResponse(
    async function* (disconnect) {
      disconnect.addEventListener("abort", () => subscription.abort(), { once: true });
      try {
        for await (const event of events) {
          for (const e of mapper.map(event.event)) yield `id: ${event.seq}\n${frame(e)}`;
          if (disconnect.aborted) return;
        }
      } finally {
        await events.return(undefined);
      }
    },
    { heartbeatMs: c.chat.options.heartbeatMs, request: c.request, headers: { "x-run-id": started.id } },
  );
}

/**
 * What a run input asks for: an answer to the pending approval (useInterrupt's resume), the client's results
 * for pending client tool calls (CopilotKit's follow-up after a frontend tool ran: the last messages are tool
 * results), or a new user message. Null when there is nothing to answer.
 */
async function runStart(c: RouteContext, input: RunAgentInput): Promise<RunStart | null> {
  const { ctx } = await c.tenant();
  const manager = await c.chat.runs();
  const decision = resumeDecision(input);
  if (decision) {
    if (!(await manager.agent.getPendingInterrupt(ctx, input.threadId).catch(() => null))) {
      throw new HttpError("conflict", "There is no pending approval on this thread.");
    }
    return { kind: "resume", threadId: input.threadId, decision };
  }
  const last = input.messages.at(-1);
  if (last?.role === "tool") {
    const pending = await manager.agent.getPendingToolCalls(ctx, input.threadId).catch(() => []);
    const results = trailingToolResults(input.messages).filter((r) =>
      pending.some((p) => p.id === r.toolCallId),
    );
    if (results.length === 0) {
      throw new HttpError("conflict", "No tool call of this thread is waiting for these results.");
    }
    return { kind: "tool_results", threadId: input.threadId, results };
  }
  const message = last?.role === "user" ? textOf(last.content) : "";
  if (message.trim() === "") return null;
  return { kind: "message", message, threadId: input.threadId, messageId: last?.id };
}

/** Replays a thread from Postgres: its messages, state and pending approval (history survives reloads/restarts). */
async function connect(c: RouteContext, agentId: string | undefined, body: unknown): Promise<Response> {
  checkAgent(c, agentId);
  const parsed = runAgentInputSchema.safeParse(body);
  if (!parsed.success) throw invalidInput("RunAgentInput", parsed.error.issues);
  const { threadId, runId } = parsed.data;
  const { ctx } = await c.tenant();
  const manager = await c.chat.runs();
  const runs = await manager.runs.listRuns(ctx, { threadId, limit: 1 });
  const ids = { threadId, runId };
  // A thread this tenant never ran (or another tenant's) replays as empty: same answer as a new thread.
  if (runs.length === 0) {
    return eventStream(c, [
      { type: "RUN_STARTED", ...ids },
      { type: "RUN_FINISHED", ...ids },
    ]);
  }
  const state = await threadState(manager, ctx, threadId);
  const events: AguiEvent[] = [
    { type: "RUN_STARTED", ...ids },
    { type: "MESSAGES_SNAPSHOT", messages: state.conversation.map(toAguiMessage) },
    {
      type: "STATE_SNAPSHOT",
      snapshot: { ...state.state, interrupt: state.interrupt },
    },
  ];
  const pending = state.interrupt;
  if (pending) events.push({ type: "CUSTOM", name: INTERRUPT_EVENT, value: pending });
  events.push({
    type: "RUN_FINISHED",
    ...ids,
    ...(pending && c.chat.options.standardInterrupts ? { outcome: interruptOutcome(pending) } : {}),
  });
  return eventStream(c, events);
}

async function stop(
  c: RouteContext,
  agentId: string | undefined,
  threadId: string | undefined,
  body: unknown,
): Promise<Response> {
  checkAgent(c, agentId);
  const parsed = stopInputSchema.safeParse(body);
  if (!parsed.success) throw invalidInput("stop request", parsed.error.issues);
  const { ctx } = await c.tenant();
  const manager = await c.chat.runs();
  const runId = parsed.data?.runId;
  if (runId !== undefined) {
    const run = await manager.getRun(ctx, runId);
    if (run.threadId !== threadId) throw new HttpError("not_found", "Run not found.");
    await manager.stop(ctx, runId);
    return jsonResponse(200, { stopped: 1 });
  }
  return jsonResponse(200, { stopped: await manager.stopThread(ctx, threadId ?? "") });
}

/**
 * Optional JSON body (CopilotKit's stop request may have none, or one that is not JSON): absent, empty or not
 * JSON reads as no body; a JSON body is checked like any other.
 */
async function optionalJson(c: RouteContext): Promise<unknown> {
  const length = c.request.headers.get("content-length");
  if (length === "0" || (!c.request.body && length === null)) return undefined;
  return c.json({ optional: true });
}

/** CopilotKit runtime protocol (REST and single-endpoint transports) over AG-UI SSE. */
export const aguiRoutes: readonly Route[] = [
  defineRoute("copilotkitInfo", async (c) => info(c)),
  defineRoute("copilotkitRun", async (c) => run(c, c.params.agentId, await c.json())),
  defineRoute("copilotkitConnect", async (c) => connect(c, c.params.agentId, await c.json())),
  defineRoute("copilotkitStop", async (c) =>
    stop(c, c.params.agentId, c.params.threadId, await optionalJson(c)),
  ),
  {
    name: "copilotkit",
    async handle(c) {
      const parsed = envelopeSchema.safeParse(await c.json());
      if (!parsed.success) throw invalidInput("runtime request", parsed.error.issues);
      const { method, params, body } = parsed.data;
      switch (method) {
        case "info":
          return info(c);
        case "agent/run":
          return run(c, params.agentId, body);
        case "agent/connect":
          return connect(c, params.agentId, body);
        case "agent/stop":
          return stop(c, params.agentId, params.threadId, body);
      }
    },
  },
];

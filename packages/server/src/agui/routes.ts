import { HttpError, invalidInput, jsonResponse } from "../http.js";
import type { Route, RouteContext } from "../router.js";
import { sseResponse } from "../runs/sse.js";
import { threadState } from "../threads/routes.js";
import { envelopeSchema, resumeDecision, runAgentInputSchema, stopInputSchema, textOf } from "./input.js";
import { type AguiEvent, AguiMapper, INTERRUPT_EVENT } from "./mapper.js";

/** CopilotKit's runtime protocol lives under this prefix: `runtimeUrl` = `<server><basePath>/copilotkit`. */
export const COPILOTKIT_PREFIX = "/copilotkit";

function checkAgent(c: RouteContext, agentId: string | undefined): void {
  if (agentId !== c.chat.options.id) throw new HttpError("not_found", "No such agent.");
}

function info(c: RouteContext): Response {
  const o = c.chat.options;
  return jsonResponse(200, {
    version: "1.75.0",
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
  const { ctx } = await c.tenant();
  const manager = await c.chat.runs();
  const decision = resumeDecision(input);
  const last = input.messages.at(-1);
  const message = last?.role === "user" ? textOf(last.content) : "";
  if (!decision && message.trim() === "") {
    // Nothing for this agent to answer (e.g. a follow-up after a frontend tool): an empty, well-formed run.
    const ids = { threadId: input.threadId, runId: input.runId };
    return eventStream(c, [
      { type: "RUN_STARTED", ...ids },
      { type: "RUN_FINISHED", ...ids },
    ]);
  }
  if (decision && !(await manager.agent.getPendingInterrupt(ctx, input.threadId).catch(() => null))) {
    throw new HttpError("conflict", "There is no pending approval on this thread.");
  }
  const started = await manager.start(
    ctx,
    decision
      ? { kind: "resume", threadId: input.threadId, decision }
      : { kind: "message", message, threadId: input.threadId },
    { runId: await freshRunId(manager, ctx, input.runId), background: false, requestId: c.requestId },
  );
  const subscription = new AbortController();
  const events = await manager.subscribe(ctx, started.id, 0, subscription.signal);
  const mapper = new AguiMapper({ threadId: input.threadId, runId: input.runId });
  return sseResponse(
    async function* (disconnect) {
      disconnect.addEventListener("abort", () => subscription.abort(), { once: true });
      try {
        for await (const event of events) {
          for (const e of mapper.map(event)) yield `id: ${event.seq}\n${frame(e)}`;
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
 * The id to store the run under. AG-UI clients choose run ids, and CopilotKit re-sends the interrupted run's id
 * when it resumes an approval: the stored run then gets a new id (the stream keeps the client's id in its events).
 */
async function freshRunId(
  manager: Awaited<ReturnType<RouteContext["chat"]["runs"]>>,
  ctx: Parameters<Awaited<ReturnType<RouteContext["chat"]["runs"]>>["getRun"]>[0],
  runId: string,
): Promise<string> {
  const taken = await manager.getRun(ctx, runId).then(
    () => true,
    () => false,
  );
  return taken ? crypto.randomUUID() : runId;
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
  const messages = state.messages.map((m, i) => ({
    id: `${threadId}:m${i}`,
    role: m.role,
    content: m.content,
  }));
  const events: AguiEvent[] = [
    { type: "RUN_STARTED", ...ids },
    { type: "MESSAGES_SNAPSHOT", messages },
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
    ...(pending
      ? {
          outcome: {
            type: "interrupt",
            interrupts: [
              {
                id: pending.id,
                reason: "approval",
                message: pending.reason,
                metadata: { tool: pending.tool, args: pending.args, kind: pending.kind },
              },
            ],
          },
        }
      : {}),
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

const P = COPILOTKIT_PREFIX;

/** CopilotKit runtime protocol (REST and single-endpoint transports) over AG-UI SSE. */
export const aguiRoutes: readonly Route[] = [
  { method: "GET", path: `${P}/info`, auth: false, handle: async (c) => info(c) },
  {
    method: "POST",
    path: `${P}/agent/:agentId/run`,
    handle: async (c) => run(c, c.params.agentId, await c.json()),
  },
  {
    method: "POST",
    path: `${P}/agent/:agentId/connect`,
    handle: async (c) => connect(c, c.params.agentId, await c.json()),
  },
  {
    method: "POST",
    path: `${P}/agent/:agentId/stop/:threadId`,
    handle: async (c) => stop(c, c.params.agentId, c.params.threadId, await optionalJson(c)),
  },
  {
    method: "POST",
    path: P,
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

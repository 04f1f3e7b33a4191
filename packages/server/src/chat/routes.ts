import type { RunRecord } from "@ragkit/core";
import type { RunSummary } from "@ragkit/protocol";
import type { Route, RouteContext } from "../router.js";
import type { StoredEvent } from "../runs/live-run.js";
import { lastEventSeq, sseResponse } from "../runs/sse.js";
import { chatFrames } from "./events.js";

export function toRunSummary(run: RunRecord): RunSummary {
  return {
    id: run.id,
    threadId: run.threadId,
    status: run.status,
    background: run.background,
    lastSeq: run.lastSeq,
    errorCode: run.errorCode,
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

/** Streams a run's events as plain SSE, from `afterSeq` on; 404 before any byte for unknown runs. */
export async function streamRun(
  c: RouteContext,
  runId: string,
  threadId: string,
  afterSeq: number,
): Promise<Response> {
  const { ctx } = await c.tenant();
  const manager = await c.chat.runs();
  // Subscribe before answering: the 404 (or the live subscription that keeps a foreground run alive) is settled
  // before the response starts.
  const subscription = new AbortController();
  const events = await manager.subscribe(ctx, runId, afterSeq, subscription.signal);
  return sseResponse(
    (disconnect) => {
      disconnect.addEventListener("abort", () => subscription.abort(), { once: true });
      return chatFrames(closing(events, disconnect));
    },
    {
      heartbeatMs: c.chat.options.heartbeatMs,
      request: c.request,
      headers: { "x-run-id": runId, "x-thread-id": threadId },
    },
  );
}

/** Ends the iteration as soon as `signal` aborts, and always returns the source (running its cleanup). */
async function* closing(
  source: AsyncGenerator<StoredEvent, void, undefined>,
  signal: AbortSignal,
): AsyncGenerator<StoredEvent> {
  try {
    for await (const event of source) {
      yield event;
      if (signal.aborted) return;
    }
  } finally {
    await source.return(undefined);
  }
}

const chatStream: Route<"chatStream"> = {
  name: "chatStream",
  async handle(c) {
    const body = await c.body();
    const { ctx } = await c.tenant();
    const manager = await c.chat.runs();
    const run = await manager.start(
      ctx,
      { kind: "message", message: body.message, threadId: body.threadId },
      { runId: body.runId, background: body.background, requestId: c.requestId },
    );
    return streamRun(c, run.id, run.threadId, 0);
  },
};

const runEvents: Route<"runEvents"> = {
  name: "runEvents",
  async handle(c) {
    const afterSeq = lastEventSeq(c.request, c.url);
    const { ctx } = await c.tenant();
    const run = await (await c.chat.runs()).getRun(ctx, c.params.id ?? "");
    return streamRun(c, run.id, run.threadId, afterSeq);
  },
};

const getRun: Route<"getRun"> = {
  name: "getRun",
  async handle(c) {
    const { ctx } = await c.tenant();
    const run = await (await c.chat.runs()).getRun(ctx, c.params.id ?? "");
    return c.reply({ run: toRunSummary(run) });
  },
};

const stopRun: Route<"stopRun"> = {
  name: "stopRun",
  async handle(c) {
    const { ctx } = await c.tenant();
    const run = await (await c.chat.runs()).stop(ctx, c.params.id ?? "");
    return c.reply({ run: toRunSummary(run) });
  },
};

/** Plain-SSE chat for hosts without CopilotKit. */
export const chatRoutes: readonly Route[] = [chatStream, runEvents, getRun, stopRun];

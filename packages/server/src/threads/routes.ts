import type { ConversationMessage, ThreadSummary as StoredThread } from "@ragkit/core";
import type { ThreadDetail, ThreadSummary } from "@ragkit/protocol";
import { streamRun, toRunSummary } from "../chat/routes.js";
import type { TenantContext } from "../core.js";
import { HttpError } from "../http.js";
import type { Route, RouteContext } from "../router.js";
import type { RunManager } from "../runs/manager.js";

const notFound = () => new HttpError("not_found", "Thread not found.");

function toThreadSummary(t: StoredThread): ThreadSummary {
  return {
    threadId: t.threadId,
    title: t.title,
    runCount: t.runCount,
    lastRunId: t.lastRunId,
    lastStatus: t.lastStatus,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** The caller's thread context: 404 unless the thread has runs in this tenant (others' read as missing). */
async function threadOf(
  c: RouteContext,
): Promise<{ ctx: TenantContext; manager: RunManager; threadId: string }> {
  const { ctx } = await c.tenant();
  const manager = await c.chat.runs();
  const threadId = c.params.id ?? "";
  const runs = await manager.runs.listRuns(ctx, { threadId, limit: 1 });
  if (runs.length === 0) throw notFound();
  return { ctx, manager, threadId };
}

/** The agent's state fields worth showing a client (no passages, no owner fields). */
const STATE_FIELDS = [
  "step",
  "progress",
  "thoughts",
  "answer",
  "answerKind",
  "citations",
  "validation",
  "toolCalls",
  "analysis",
] as const;

/**
 * Messages, state and pending interrupt of a thread, from its latest checkpoint (durable in Postgres). The
 * `conversation` has every message with its id, tool calls and results (what AG-UI replays); `messages` is its
 * transcript: the user's and the assistant's text, under the same ids.
 */
export async function threadState(
  manager: RunManager,
  ctx: TenantContext,
  threadId: string,
): Promise<Pick<ThreadDetail, "messages" | "state" | "interrupt"> & { conversation: ConversationMessage[] }> {
  const [latest] = await manager.agent.listCheckpoints(ctx, threadId, { limit: 1 });
  if (!latest) return { messages: [], conversation: [], state: {}, interrupt: null };
  const at = await manager.agent.getStateAt(ctx, threadId, latest.checkpointId);
  const values = at.values as unknown as Record<string, unknown>;
  const state: Record<string, unknown> = {};
  for (const field of STATE_FIELDS) if (values[field] !== undefined) state[field] = values[field];
  return {
    messages: transcriptOf(at.conversation),
    conversation: at.conversation,
    state,
    interrupt: at.interrupt,
  };
}

/** The user's and the assistant's text turns (tool traffic, and calls without text, left out). */
export function transcriptOf(conversation: readonly ConversationMessage[]): ThreadDetail["messages"] {
  return conversation.flatMap((m) =>
    m.role === "tool" || (m.role === "assistant" && m.content === "")
      ? []
      : [{ id: m.id, role: m.role, content: m.content }],
  );
}

const listThreads: Route<"listThreads"> = {
  name: "listThreads",
  async handle(c) {
    const query = c.query();
    const { ctx } = await c.tenant();
    const manager = await c.chat.runs();
    const threads = await manager.runs.listThreads(ctx, {
      limit: query.limit,
      ...(query.before ? { before: new Date(query.before) } : {}),
    });
    return c.reply({
      threads: threads.map(toThreadSummary),
      nextCursor: threads.length === query.limit ? (threads.at(-1)?.updatedAt.toISOString() ?? null) : null,
    });
  },
};

const getThread: Route<"getThread"> = {
  name: "getThread",
  async handle(c) {
    const { ctx, manager, threadId } = await threadOf(c);
    const [runs, state] = await Promise.all([
      manager.runs.listRuns(ctx, { threadId, limit: 1000 }),
      threadState(manager, ctx, threadId),
    ]);
    const thread: ThreadDetail = {
      threadId,
      messages: state.messages,
      state: state.state,
      interrupt: state.interrupt,
      runs: runs.map(toRunSummary),
    };
    return c.reply({ thread });
  },
};

const listCheckpoints: Route<"listCheckpoints"> = {
  name: "listCheckpoints",
  async handle(c) {
    const { limit } = c.query();
    const { ctx, manager, threadId } = await threadOf(c);
    return c.reply({ checkpoints: await manager.agent.listCheckpoints(ctx, threadId, { limit }) });
  },
};

const forkThread: Route<"forkThread"> = {
  name: "forkThread",
  async handle(c) {
    const { checkpointId } = await c.body();
    const { ctx, manager, threadId } = await threadOf(c);
    const fork = await manager.agent.fork(ctx, threadId, checkpointId);
    await ctxAudit(c, ctx, "agent.fork", threadId, { checkpointId, forkId: fork.checkpointId });
    return c.reply(fork);
  },
};

const resumeThread: Route<"resumeThread"> = {
  name: "resumeThread",
  async handle(c) {
    const body = await c.body();
    const { ctx, manager, threadId } = await threadOf(c);
    if (!(await manager.agent.getPendingInterrupt(ctx, threadId))) {
      throw new HttpError("conflict", "There is no pending approval on this thread.");
    }
    const run = await manager.start(
      ctx,
      { kind: "resume", threadId, decision: body.decision },
      { runId: body.runId, background: body.background, requestId: c.requestId },
    );
    return streamRun(c, run.id, threadId, 0);
  },
};

const renameThread: Route<"renameThread"> = {
  name: "renameThread",
  async handle(c) {
    const { title } = await c.body();
    const { ctx, manager, threadId } = await threadOf(c);
    const renamed = await manager.runs.renameThread(ctx, threadId, title);
    if (!renamed) throw notFound();
    await ctxAudit(c, ctx, "agent.thread.rename", threadId, {});
    return c.reply({ thread: toThreadSummary(renamed) });
  },
};

const deleteThread: Route<"deleteThread"> = {
  name: "deleteThread",
  async handle(c) {
    const { ctx, manager, threadId } = await threadOf(c);
    if (await manager.activeRun(ctx, threadId)) {
      throw new HttpError("conflict", "A run is in progress on this thread; stop it first.");
    }
    await manager.agent.deleteThread(ctx, threadId);
    await manager.runs.deleteThread(ctx, threadId);
    await ctxAudit(c, ctx, "agent.thread.delete", threadId, {});
    return new Response(null, { status: 204 });
  },
};

async function ctxAudit(
  c: RouteContext,
  ctx: TenantContext,
  action: string,
  threadId: string,
  details: Record<string, unknown>,
): Promise<void> {
  const { store } = await c.tenant();
  await store.audit.record(ctx, {
    action,
    resourceType: "thread",
    resourceId: threadId,
    requestId: c.requestId,
    details,
  });
}

/** Threads of the caller's tenant: list, detail (messages, state, pending approval), checkpoints, fork, resume, rename, delete. */
export const threadRoutes: readonly Route[] = [
  listThreads,
  getThread,
  listCheckpoints,
  forkThread,
  resumeThread,
  renameThread,
  deleteThread,
];

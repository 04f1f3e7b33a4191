import { randomUUID } from "node:crypto";
import { type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { Command, type StateSnapshot } from "@langchain/langgraph";
import { z } from "zod";
import { NotFoundError, RagKitError, ValidationError } from "../errors/index.js";
import { assertTenantContext, type TenantContext } from "../tenant/context.js";
import { type PendingInterrupt, parseDecision, pendingInterruptSchema } from "./approval.js";
import { buildRagGraph, isSqlStore } from "./build.js";
import { TenantCheckpointSaver } from "./checkpointer.js";
import type { AgentEvent, CustomPayload } from "./events.js";
import { lastUserMessage, PROGRESS } from "./nodes/common.js";
import type { CheckpointSummary, RagAgent, RagAgentOptions } from "./options.js";
import {
  abortedError,
  checkInput,
  checkpointIdSchema,
  checkThreadId,
  describeError,
  interruptOf,
  listOf,
  nodeOf,
  threadKey,
  untilAborted,
} from "./runtime-helpers.js";
import type {
  AgentStep,
  AnswerKind,
  Citation,
  RagAgentStateUpdate,
  RagAgentStateValue,
  ValidationResult,
} from "./state.js";
import { type ModelUsage, type RunUsage, recordRunUsage, sumUsage } from "./usage.js";

export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024;

type RunStart =
  | { kind: "message"; message: string }
  | { kind: "resume"; decision: unknown }
  | { kind: "continue"; checkpointId?: string | undefined };

interface RunOptions {
  tenant: TenantContext;
  threadId?: string | undefined;
  signal?: AbortSignal | undefined;
  runId?: string | undefined;
}

export function createRagAgent(options: RagAgentOptions): RagAgent {
  const graph = buildRagGraph(options);
  const recordUsage = options.recordUsage !== false;
  const durability = options.durability ?? "sync";
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  // One run at a time per thread: two interleaved turns would fork the thread's checkpoints.
  const activeThreads = new Set<string>();

  /** The graph config of a tenant's thread (the checkpointer reads the tenant from `configurable.tenant`). */
  function threadConfig(tenant: TenantContext, threadId: string, checkpointId?: string) {
    assertTenantContext(tenant);
    checkThreadId(threadId);
    if (checkpointId !== undefined && !checkpointIdSchema.safeParse(checkpointId).success) {
      throw new ValidationError("Invalid checkpoint id.", {
        details: [{ path: "checkpointId", message: "invalid" }],
      });
    }
    return {
      configurable: {
        thread_id: threadKey(tenant, threadId),
        tenant,
        ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
      },
    };
  }

  async function snapshotAt(
    tenant: TenantContext,
    threadId: string,
    checkpointId: string,
  ): Promise<StateSnapshot> {
    const snapshot = await graph.getState(threadConfig(tenant, threadId, checkpointId));
    if (snapshot.config?.configurable?.checkpoint_id !== checkpointId || !snapshot.createdAt) {
      throw new NotFoundError("No such checkpoint on this thread.");
    }
    return snapshot;
  }

  async function* execute(
    start: RunStart,
    runOptions: RunOptions,
  ): AsyncGenerator<AgentEvent, void, undefined> {
    const runId = runOptions?.runId ?? randomUUID();
    const threadId =
      runOptions?.threadId ?? (start.kind === "message" ? randomUUID() : (undefined as unknown as string));
    const ids = { runId, threadId: String(threadId ?? "") };
    const given: unknown = runOptions?.tenant;
    let tenant: TenantContext | null = null;
    try {
      assertTenantContext(given);
      tenant = given;
    } catch {}
    yield { type: "run_started", ...ids, tenantId: tenant?.tenantId ?? null, timestamp: Date.now() };

    const internal = new AbortController();
    const signal = runOptions?.signal
      ? AbortSignal.any([runOptions.signal, internal.signal])
      : internal.signal;
    let current: AgentStep = "start";
    let locked: string | null = null;
    // Usage records of the model calls of this run (from the node updates, so a continued run counts its own).
    const spent: ModelUsage[] = [];
    const saveUsage = async (owner: TenantContext, run: string, thread: string): Promise<RunUsage | null> => {
      if (spent.length === 0) return null;
      const usage = sumUsage(spent);
      if (recordUsage && isSqlStore(options.store)) {
        try {
          await recordRunUsage(options.store, owner, usage, { runId: run, threadId: thread });
        } catch (error) {
          // Accounting must not turn an answered question into a failure.
          options.onInternalError?.(error);
        }
      }
      return usage;
    };
    try {
      if (!tenant) {
        throw new ValidationError("A verified TenantContext (options.tenant) is required to run the agent.", {
          details: [{ path: "tenant", message: "a TenantContext from createTenantContext() is required" }],
        });
      }
      if (start.kind === "message") checkInput(start.message, threadId, maxBytes);
      else checkThreadId(threadId);
      if (signal.aborted) throw abortedError();
      const key = threadKey(tenant, threadId);
      if (activeThreads.has(key)) {
        throw new RagKitError("conflict", "A run is already in progress on this thread.");
      }
      activeThreads.add(key);
      locked = key;
      const checkpointId = start.kind === "continue" ? start.checkpointId : undefined;
      const config = {
        ...threadConfig(tenant, threadId, checkpointId),
        streamMode: ["updates", "custom"] as ("updates" | "custom")[],
        durability,
        signal,
      };
      let input: unknown;
      if (start.kind === "message") {
        input = {
          messages: [new HumanMessage(start.message)],
          tenantId: tenant.tenantId,
          userId: tenant.userId,
          threadId,
        };
      } else {
        const snapshot = checkpointId
          ? await snapshotAt(tenant, threadId, checkpointId)
          : await graph.getState(threadConfig(tenant, threadId));
        const pending = interruptOf(snapshot);
        if (start.kind === "resume") {
          if (!pending) throw new RagKitError("conflict", "There is no pending approval on this thread.");
          input = new Command({ resume: parseDecision(pending.tool, start.decision) });
        } else {
          if (pending) {
            throw new RagKitError(
              "conflict",
              "This thread is waiting for approval: answer it with resume().",
            );
          }
          if (!snapshot.next?.length) {
            throw new RagKitError("conflict", "There is no unfinished run to continue on this thread.");
          }
          input = null;
        }
      }
      const final = {
        answer: "",
        answerKind: "none" as AnswerKind,
        citations: [] as Citation[],
        validation: null as ValidationResult | null,
      };
      let interrupted: PendingInterrupt | null = null;
      const chunks = (await graph.stream(input as never, config)) as AsyncIterable<[string, unknown]>;
      for await (const [mode, chunk] of untilAborted(chunks, signal)) {
        if (mode === "custom") {
          const payload = chunk as CustomPayload;
          if (payload.type === "step_started") current = payload.step;
          yield { ...ids, ...payload };
          continue;
        }
        if (mode !== "updates") continue;
        for (const [node, raw] of Object.entries(chunk as Record<string, unknown>)) {
          if (node === "__interrupt__" && Array.isArray(raw)) {
            for (const i of raw as { id?: string; value?: unknown }[]) {
              const parsed = pendingInterruptSchema.safeParse({ ...(i.value as object), id: i.id });
              if (parsed.success && !interrupted) {
                interrupted = parsed.data;
                yield { type: "interrupt", ...ids, interrupt: parsed.data };
              }
            }
            continue;
          }
          if (!raw || node.startsWith("__")) continue;
          const update = raw as RagAgentStateUpdate;
          const s = node as AgentStep;
          for (const text of listOf<string>(update.thoughts))
            yield { type: "thought", ...ids, step: s, text };
          spent.push(...listOf<ModelUsage>(update.usage));
          if (update.answer !== undefined && s !== "analyze") {
            final.answer = update.answer;
            final.answerKind = update.answerKind ?? final.answerKind;
          }
          if (update.citations !== undefined && s !== "analyze") {
            final.citations = update.citations;
            yield { type: "citations", ...ids, citations: update.citations };
          }
          for (const toolCall of update.toolCalls ?? []) yield { type: "tool_call", ...ids, toolCall };
          if (update.validation) {
            final.validation = update.validation;
            yield { type: "validation", ...ids, validation: update.validation };
          }
          if (update.progress !== undefined)
            yield { type: "progress", ...ids, step: s, progress: update.progress };
          yield { type: "step_finished", ...ids, step: s };
        }
      }
      if (signal.aborted) throw abortedError();
      if (start.kind !== "message" && !interrupted) {
        // A continued run may only re-run the last steps (e.g. validate): the answer comes from the thread state.
        const values = (await graph.getState(threadConfig(tenant, threadId)))
          .values as Partial<RagAgentStateValue>;
        final.answer = values.answer ?? final.answer;
        final.answerKind = values.answerKind ?? final.answerKind;
        final.citations = values.citations ?? final.citations;
        final.validation = values.validation ?? final.validation;
      }
      const usage = await saveUsage(tenant, runId, threadId);
      yield {
        type: "run_finished",
        ...ids,
        status: interrupted ? "interrupted" : "completed",
        ...final,
        ...(usage ? { usage } : {}),
      };
    } catch (error) {
      // Tokens spent before a failure are still billed by the provider: record them too.
      if (tenant && spent.length) await saveUsage(tenant, runId, threadId);
      yield { type: "run_error", ...ids, ...describeError(error, signal, current, options.onInternalError) };
    } finally {
      internal.abort();
      if (locked) activeThreads.delete(locked);
    }
  }

  return {
    graph,
    stream: (message, streamOptions) => execute({ kind: "message", message }, streamOptions),
    resume: (resumeOptions) => execute({ kind: "resume", decision: resumeOptions?.decision }, resumeOptions),
    continue: (continueOptions) =>
      execute({ kind: "continue", checkpointId: continueOptions?.checkpointId }, continueOptions),
    async run(message, runOptions) {
      const events: AgentEvent[] = [];
      for await (const event of execute({ kind: "message", message }, runOptions)) events.push(event);
      const last = events.at(-1);
      if (last?.type === "run_error") throw new RagKitError(last.code as RagKitError["code"], last.message);
      if (last?.type !== "run_finished") throw new RagKitError("aborted", "The run ended without a result.");
      const { runId, threadId, status, answer, answerKind, citations, validation, usage } = last;
      const interrupt = events.find((e) => e.type === "interrupt")?.interrupt ?? null;
      return {
        runId,
        threadId,
        status,
        interrupt,
        answer,
        answerKind,
        citations,
        validation,
        ...(usage ? { usage } : {}),
        events,
      };
    },
    async getPendingInterrupt(tenant, threadId) {
      return interruptOf(await graph.getState(threadConfig(tenant, threadId)));
    },
    async getMessages(tenant, threadId) {
      const snapshot = await graph.getState(threadConfig(tenant, threadId));
      const messages = ((snapshot.values as Partial<RagAgentStateValue>).messages ?? []) as BaseMessage[];
      return lastUserMessage([...messages, new HumanMessage("")]).history;
    },
    async deleteThread(tenant, threadId) {
      const key = threadConfig(tenant, threadId).configurable.thread_id;
      if (activeThreads.has(key)) throw new RagKitError("conflict", "A run is in progress on this thread.");
      const saver = graph.checkpointer;
      if (saver instanceof TenantCheckpointSaver) await saver.deleteThread(key, tenant);
      else if (saver && typeof saver === "object") await saver.deleteThread(key);
    },
    async listCheckpoints(tenant, threadId, listOptions = {}) {
      const out: CheckpointSummary[] = [];
      const history = graph.getStateHistory(threadConfig(tenant, threadId), {
        ...(listOptions.limit !== undefined ? { limit: listOptions.limit } : {}),
      });
      for await (const snapshot of history) {
        out.push({
          checkpointId: snapshot.config.configurable?.checkpoint_id as string,
          parentCheckpointId:
            (snapshot.parentConfig?.configurable?.checkpoint_id as string | undefined) ?? null,
          step: snapshot.metadata?.step ?? -1,
          source: snapshot.metadata?.source ?? "loop",
          node: nodeOf(snapshot),
          createdAt: snapshot.createdAt ?? "",
          next: [...(snapshot.next ?? [])],
        });
      }
      return out;
    },
    async getStateAt(tenant, threadId, checkpointId) {
      const snapshot = await snapshotAt(tenant, threadId, checkpointId);
      const values = snapshot.values as RagAgentStateValue;
      return {
        checkpointId,
        parentCheckpointId:
          (snapshot.parentConfig?.configurable?.checkpoint_id as string | undefined) ?? null,
        createdAt: snapshot.createdAt ?? "",
        next: [...(snapshot.next ?? [])],
        values,
        messages: lastUserMessage([...(values.messages ?? []), new HumanMessage("")]).history,
        interrupt: interruptOf(snapshot),
      };
    },
    async fork(tenant, threadId, checkpointId, forkOptions = {}) {
      const values = forkOptions.values ?? {};
      for (const field of ["tenantId", "userId", "threadId"] as const) {
        if (field in values) {
          throw new ValidationError(`A fork cannot change "${field}".`, {
            details: [{ path: `values.${field}`, message: "owner fields are fixed" }],
          });
        }
      }
      if (forkOptions.asNode !== undefined)
        z.enum(Object.keys(PROGRESS) as [AgentStep]).parse(forkOptions.asNode);
      const snapshot = await snapshotAt(tenant, threadId, checkpointId);
      const key = threadKey(tenant, threadId);
      if (activeThreads.has(key)) throw new RagKitError("conflict", "A run is in progress on this thread.");
      const config = await graph.updateState(
        { configurable: { ...snapshot.config.configurable, tenant } },
        values,
        forkOptions.asNode,
      );
      const forkId = config.configurable?.checkpoint_id as string;
      const forked = await snapshotAt(tenant, threadId, forkId);
      return { threadId, checkpointId: forkId, next: [...(forked.next ?? [])] };
    },
  };
}

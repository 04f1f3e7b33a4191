import { randomUUID } from "node:crypto";
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { Command, type StateSnapshot } from "@langchain/langgraph";
import { z } from "zod";
import { NotFoundError, RagKitError, ValidationError } from "../errors/index.js";
import { assertTenantContext, type TenantContext } from "../tenant/context.js";
import {
  approvalNote,
  approvalReplyDecision,
  type PendingInterrupt,
  parseDecision,
  pendingInterruptSchema,
  SUPERSEDED_NOTE,
} from "./approval.js";
import { buildRagGraph, isSqlStore } from "./build.js";
import { TenantCheckpointSaver, TUPLE_MEMO, TupleMemo } from "./checkpointer.js";
import { parseClientInput } from "./client-tools.js";
import type { AgentEvent, AgentEventOf, CustomPayload } from "./events.js";
import { approvalReplyKwargs, conversationMessage, conversationOf, newMessageId } from "./messages.js";
import { lastUserMessage, PROGRESS } from "./nodes/common.js";
import type {
  AgentToolResultsOptions,
  CheckpointSummary,
  ClientRunOptions,
  RagAgent,
  RagAgentOptions,
} from "./options.js";
import {
  abortedError,
  checkInput,
  checkpointIdSchema,
  checkThreadId,
  checkToolResults,
  describeError,
  interruptOf,
  listOf,
  messagesOf,
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
  | { kind: "message"; message: string; messageId?: string | undefined }
  | { kind: "resume"; decision: unknown }
  | { kind: "continue"; checkpointId?: string | undefined }
  | { kind: "tool_results"; results: AgentToolResultsOptions["results"] };

interface RunOptions extends ClientRunOptions {
  tenant: TenantContext;
  threadId?: string | undefined;
  signal?: AbortSignal | undefined;
  runId?: string | undefined;
}

/** The result a client tool call gets when the user moved on (or the client sent none): providers want one. */
const NOT_RUN = (why: string) => JSON.stringify({ error: `Not run: ${why}.` });

type ApprovalAnswer = Omit<AgentEventOf<"approval">, "type" | "runId" | "threadId">;

export function createRagAgent(options: RagAgentOptions): RagAgent {
  const graph = buildRagGraph(options);
  const recordUsage = options.recordUsage !== false;
  const durability = options.durability ?? "sync";
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  // One run at a time per thread: two interleaved turns would fork the thread's checkpoints.
  const activeThreads = new Set<string>();

  /**
   * How a run starts: the graph input, the messages it adds that no node returns (the user's message, a
   * declined approval's note, client tool results: announced as `message` events), and the approval it answers.
   */
  async function runInput(
    start: RunStart,
    tenant: TenantContext,
    threadId: string,
    checkpointId: string | undefined,
    memo: TupleMemo,
  ): Promise<{ input: unknown; announce: BaseMessage[]; approval: ApprovalAnswer | null }> {
    const snapshot = checkpointId
      ? await snapshotAt(tenant, threadId, checkpointId, memo)
      : await graph.getState(withMemo(threadConfig(tenant, threadId), memo));
    const values = snapshot.values as Partial<RagAgentStateValue>;
    const history = values.messages ?? [];
    const pending = interruptOf(snapshot);
    // A client-chosen id must not collide with a message of the thread (that would overwrite it).
    const freshId = (id: string | undefined, kind: "user" | "tool") =>
      id && !history.some((m) => m.id === id) ? id : newMessageId(kind);
    switch (start.kind) {
      case "message": {
        const id = freshId(start.messageId, "user");
        const reply = pending ? approvalReplyDecision(start.message) : null;
        if (pending && reply) {
          // "approve" / "reject" typed in a chat without approval buttons: answers the pending approval.
          const human = new HumanMessage({
            id,
            content: start.message,
            additional_kwargs: approvalReplyKwargs,
          });
          return {
            input: new Command({ resume: reply, update: { messages: [human] } }),
            announce: [human],
            approval: { tool: pending.tool, decision: reply, via: "reply" },
          };
        }
        // Anything else on a thread that waits is a new turn: what waited is declined, visibly, in the history.
        const declined: BaseMessage[] = [];
        if (pending) {
          const note = history.find((m) => pending.messageId !== undefined && m.id === pending.messageId);
          declined.push(
            new AIMessage({
              id: note?.id ?? newMessageId("approval"),
              content: `${note?.text ?? approvalNote(pending)}${SUPERSEDED_NOTE}`,
            }),
          );
        }
        for (const call of values.pendingToolCalls ?? []) {
          declined.push(
            new ToolMessage({
              id: newMessageId("tool"),
              tool_call_id: call.id,
              name: call.name,
              content: NOT_RUN("the user sent a new message instead"),
            }),
          );
        }
        const human = new HumanMessage({ id, content: start.message });
        return {
          input: {
            messages: [...declined, human],
            tenantId: tenant.tenantId,
            userId: tenant.userId,
            threadId,
            approval: null,
            pendingToolCalls: [],
            toolNode: null,
          },
          announce: [...declined, human],
          approval: pending
            ? { tool: pending.tool, decision: { type: "reject", reason: "superseded" }, via: "superseded" }
            : null,
        };
      }
      case "resume": {
        if (!pending) throw new RagKitError("conflict", "There is no pending approval on this thread.");
        const decision = parseDecision(pending.tool, start.decision);
        return {
          input: new Command({ resume: decision }),
          announce: [],
          approval: { tool: pending.tool, decision, via: "resume" },
        };
      }
      case "tool_results": {
        const calls = values.pendingToolCalls ?? [];
        if (calls.length === 0 || pending) {
          throw new RagKitError("conflict", "No client tool calls are waiting for results on this thread.");
        }
        const unknown = start.results.find((r) => !calls.some((c) => c.id === r.toolCallId));
        if (unknown) {
          throw new RagKitError(
            "conflict",
            `No client tool call "${unknown.toolCallId}" is waiting on this thread.`,
          );
        }
        const results = calls.map((call) => {
          const result = start.results.find((r) => r.toolCallId === call.id);
          return new ToolMessage({
            id: freshId(result?.messageId, "tool"),
            tool_call_id: call.id,
            name: call.name,
            content: result ? result.content : NOT_RUN("the client sent no result"),
          });
        });
        return { input: { messages: results }, announce: results, approval: null };
      }
      case "continue": {
        if (pending) {
          throw new RagKitError("conflict", "This thread is waiting for approval: answer it with resume().");
        }
        if (!snapshot.next?.length) {
          throw new RagKitError("conflict", "There is no unfinished run to continue on this thread.");
        }
        return { input: null, announce: [], approval: null };
      }
    }
  }

  /** `config` carrying a run's checkpoint-read memo (see `TupleMemo`). */
  function withMemo<C extends { configurable: Record<string, unknown> }>(config: C, memo?: TupleMemo): C {
    return memo ? { ...config, configurable: { ...config.configurable, [TUPLE_MEMO]: memo } } : config;
  }

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
    memo?: TupleMemo,
  ): Promise<StateSnapshot> {
    const snapshot = await graph.getState(withMemo(threadConfig(tenant, threadId, checkpointId), memo));
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
    // Text streamed this run per assistant message and the step that wrote it, until its node stores it.
    const streamed = new Map<string, { text: string; step: AgentStep }>();
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
      if (start.kind === "tool_results") checkToolResults(start.results, maxBytes);
      if (signal.aborted) throw abortedError();
      const key = threadKey(tenant, threadId);
      if (activeThreads.has(key)) {
        throw new RagKitError("conflict", "A run is already in progress on this thread.");
      }
      activeThreads.add(key);
      locked = key;
      const checkpointId = start.kind === "continue" ? start.checkpointId : undefined;
      const client = parseClientInput(runOptions?.tools, runOptions?.context);
      // The thread state read for the run's input is the one the graph's loop starts from (one read, not two).
      const memo = new TupleMemo();
      const base = withMemo(threadConfig(tenant, threadId, checkpointId), memo);
      const config = {
        ...base,
        configurable: { ...base.configurable, clientInput: client },
        streamMode: ["updates", "custom"] as ("updates" | "custom")[],
        durability,
        signal,
      };
      const { input, announce, approval } = await runInput(start, tenant, threadId, checkpointId, memo);
      if (approval) yield { type: "approval", ...ids, ...approval };
      for (const m of announce) {
        const message = conversationMessage(m);
        if (message) yield { type: "message", ...ids, message };
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
          if (payload.type === "text_delta") {
            const before = payload.reset ? "" : (streamed.get(payload.messageId)?.text ?? "");
            streamed.set(payload.messageId, { text: before + payload.delta, step: current });
          }
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
          for (const m of messagesOf(update.messages)) {
            const message = conversationMessage(m);
            if (!message) continue;
            streamed.delete(message.id); // stored by its node: nothing to save if the run stops now
            yield { type: "message", ...ids, message };
          }
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
      // A stopped answer stays in the conversation as far as it streamed (the user saw it; so does a reload).
      if (tenant && signal.aborted) {
        for (const [id, { text, step: asNode }] of streamed) {
          if (text.trim() === "") continue;
          try {
            await graph.updateState(
              threadConfig(tenant, threadId),
              { messages: [new AIMessage({ id, content: text })], answer: text },
              asNode,
            );
            yield { type: "message", ...ids, message: { id, role: "assistant", content: text } };
          } catch (saveError) {
            options.onInternalError?.(saveError);
          }
        }
      }
      yield { type: "run_error", ...ids, ...describeError(error, signal, current, options.onInternalError) };
    } finally {
      internal.abort();
      if (locked) activeThreads.delete(locked);
    }
  }

  return {
    graph,
    stream: (message, streamOptions) =>
      execute({ kind: "message", message, messageId: streamOptions?.messageId }, streamOptions),
    resume: (resumeOptions) => execute({ kind: "resume", decision: resumeOptions?.decision }, resumeOptions),
    continue: (continueOptions) =>
      execute({ kind: "continue", checkpointId: continueOptions?.checkpointId }, continueOptions),
    submitToolResults: (resultOptions) =>
      execute({ kind: "tool_results", results: resultOptions?.results ?? [] }, resultOptions),
    async run(message, runOptions) {
      const events: AgentEvent[] = [];
      for await (const event of execute(
        { kind: "message", message, messageId: runOptions?.messageId },
        runOptions,
      ))
        events.push(event);
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
    async getPendingToolCalls(tenant, threadId) {
      const values = (await graph.getState(threadConfig(tenant, threadId)))
        .values as Partial<RagAgentStateValue>;
      return [...(values.pendingToolCalls ?? [])];
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
        conversation: conversationOf(values.messages ?? []),
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

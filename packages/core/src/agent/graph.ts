import { randomUUID } from "node:crypto";
import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import {
  type BaseCheckpointSaver,
  END,
  type LangGraphRunnableConfig,
  MemorySaver,
  Overwrite,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { z } from "zod";
import { isRagKitError, RagKitError, ValidationError } from "../errors/index.js";
import { reciprocalRankFusion } from "../search/fusion.js";
import type { SearchResult } from "../search/types.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { assertTenantContext, type TenantContext } from "../tenant/context.js";
import type { AgentEvent, CustomPayload } from "./events.js";
import type { AgentModels, HistoryTurn } from "./models.js";
import { offlineModels } from "./offline.js";
import { DEFAULT_RERANK_THRESHOLD, routeAfterAnalyze, routeAfterRetrieve } from "./routing.js";
import {
  type AgentStep,
  type AnswerKind,
  type Citation,
  type Passage,
  RagAgentState,
  type RagAgentStateUpdate,
  type RagAgentStateValue,
  type ValidationResult,
} from "./state.js";
import { validateAnswer } from "./validate.js";

/** The part of the store the agent uses (a KnowledgeStore, or a wrapper around one). */
export type AgentStore = Pick<KnowledgeStore, "search">;

export interface RagAgentOptions {
  store: AgentStore;
  /** Replace any of the offline heuristic models. */
  models?: Partial<AgentModels>;
  /** Conversation memory. Default: an in-process `MemorySaver` (lost on restart). */
  checkpointer?: BaseCheckpointSaver;
  /** Rerank only when retrieval returns more than this many passages. Default 3. */
  rerankThreshold?: number;
  /** Results per query variation. Default 8. */
  retrieveTopK?: number;
  /** Passages kept after fusing the variations. Default 12. */
  maxCandidates?: number;
  /** Maximum user message size in UTF-8 bytes. Default 32 KiB. */
  maxMessageBytes?: number;
  /** Called with unexpected (non-RagKitError) failures, whose details are not sent to clients. */
  onInternalError?: (error: unknown) => void;
}

export interface AgentStreamOptions {
  /** Created by the caller from a verified identity. Never taken from the message or model output. */
  tenant: TenantContext;
  /** The conversation (session) id. Default: a new thread. Threads are scoped per tenant. */
  threadId?: string;
  signal?: AbortSignal;
  runId?: string;
}

export interface AgentRunResult {
  runId: string;
  threadId: string;
  answer: string;
  answerKind: AnswerKind;
  citations: Citation[];
  validation: ValidationResult | null;
  events: AgentEvent[];
}

export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024;

const threadIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "may contain only letters, digits and . _ : @ -");

const PROGRESS: Record<AgentStep, number> = {
  start: 0,
  analyze: 0.1,
  rewrite: 0.2,
  retrieve: 0.45,
  rerank: 0.6,
  generate: 0.85,
  validate: 1,
  respond: 1,
};

type NodeFn = (state: RagAgentStateValue, config: LangGraphRunnableConfig) => Promise<RagAgentStateUpdate>;

/** The tenant of a run: only ever from the run's config, set by `agent.stream` from the caller's context. */
export function tenantFromConfig(config: LangGraphRunnableConfig): TenantContext {
  const tenant: unknown = config.configurable?.tenant;
  assertTenantContext(tenant);
  return tenant;
}

function write(config: LangGraphRunnableConfig, payload: CustomPayload): void {
  config.writer?.(payload);
}

function throwIfAborted(config: LangGraphRunnableConfig): void {
  if (config.signal?.aborted) throw new RagKitError("aborted", "The run was cancelled.");
}

/** Wraps a node: announces the step, stops on abort, records step and progress. */
function step(name: AgentStep, fn: NodeFn): NodeFn {
  return async (state, config) => {
    throwIfAborted(config);
    write(config, { type: "step_started", step: name });
    const update = await fn(state, config);
    throwIfAborted(config);
    return { ...update, step: name, progress: PROGRESS[name] };
  };
}

function lastUserMessage(messages: readonly BaseMessage[]): { message: string; history: HistoryTurn[] } {
  const index = messages.findLastIndex((m) => m.getType() === "human");
  const history = messages.slice(0, Math.max(0, index)).flatMap((m): HistoryTurn[] => {
    const type = m.getType();
    return type === "human" || type === "ai"
      ? [{ role: type === "human" ? "user" : "assistant", content: m.text }]
      : [];
  });
  return { message: index >= 0 ? messages[index]!.text : "", history };
}

function toPassage(result: SearchResult, fusedScore: number): Passage {
  return {
    chunkId: result.chunkId,
    documentId: result.documentId,
    documentTitle: result.documentTitle,
    text: result.text,
    start: result.start,
    end: result.end,
    pageNumber: result.pageNumber,
    sectionTitle: result.sectionTitle,
    fusedScore,
  };
}

const INTENT_LABEL = {
  factual: "a factual question",
  analytical: "an analytical question",
  conversational: "conversation",
  data_question: "a data question",
  chart_request: "a chart request",
} as const;

/**
 * Builds the RAG agent graph:
 * START → analyze → (conversational? respond → END) → rewrite → retrieve → (more than N passages? rerank)
 * → generate → validate → END.
 */
export function buildRagGraph(options: RagAgentOptions) {
  const models: AgentModels = { ...offlineModels, ...options.models };
  const threshold = options.rerankThreshold ?? DEFAULT_RERANK_THRESHOLD;
  const topK = options.retrieveTopK ?? 8;
  const maxCandidates = options.maxCandidates ?? 12;

  const analyze = step("analyze", async (state, config) => {
    const tenant = tenantFromConfig(config);
    if (state.tenantId && state.tenantId !== tenant.tenantId) {
      throw new RagKitError("invalid_input", "This conversation belongs to another tenant.");
    }
    const { message, history } = lastUserMessage(state.messages);
    const analysis = await models.analyze({
      message,
      history,
      previousQuery: state.queries?.standalone ?? null,
      signal: config.signal,
    });
    const about =
      analysis.entities.length && analysis.intent !== "conversational"
        ? ` about ${analysis.entities.slice(0, 4).join(", ")}`
        : "";
    const thoughts = [`Reading this as ${INTENT_LABEL[analysis.intent]}${about}.`];
    if (analysis.followUp) thoughts.push("It follows up on the previous question.");
    if (analysis.intent === "data_question" || analysis.intent === "chart_request") {
      thoughts.push("Database questions and charts are not supported yet: searching the documents instead.");
    }
    return {
      analysis,
      passages: [],
      answer: "",
      answerKind: "none",
      citations: [],
      validation: null,
      thoughts: new Overwrite(thoughts),
    };
  });

  const rewrite = step("rewrite", async (state, config) => {
    const { message, history } = lastUserMessage(state.messages);
    const result = await models.rewrite({
      message,
      history,
      previousQuery: state.queries?.standalone ?? null,
      analysis: state.analysis!,
      signal: config.signal,
    });
    const more = result.variations.length - 1;
    return {
      queries: result,
      thoughts: [`Searching for "${result.standalone}"${more > 0 ? ` and ${more} variation(s)` : ""}.`],
    };
  });

  const retrieve = step("retrieve", async (state, config) => {
    const tenant = tenantFromConfig(config);
    const lists: SearchResult[][] = [];
    // Sequential on purpose: an embedded PGlite is one session, and each search is one short transaction.
    for (const query of state.queries!.variations) {
      throwIfAborted(config);
      lists.push(await options.store.search(tenant, { query, mode: "hybrid", topK }));
    }
    const byChunk = new Map(lists.flat().map((r) => [r.chunkId, r]));
    const fused = reciprocalRankFusion(
      lists.map((items) => ({ weight: 1, items })),
      (r) => r.chunkId,
    ).slice(0, maxCandidates);
    const passages = fused.map((f) => toPassage(byChunk.get(f.key)!, f.score));
    const docs = new Set(passages.map((p) => p.documentId)).size;
    return {
      passages,
      thoughts: [
        passages.length
          ? `Found ${passages.length} passage(s) in ${docs} document(s).`
          : "Found no matching passages.",
      ],
    };
  });

  const rerank = step("rerank", async (state, config) => {
    const passages = await models.rerank({
      rewrite: state.queries!,
      passages: state.passages,
      signal: config.signal,
    });
    return {
      passages,
      thoughts: [`Kept the ${passages.length} most relevant of ${state.passages.length} passages.`],
    };
  });

  const generate = step("generate", async (state, config) => {
    const { message } = lastUserMessage(state.messages);
    const result = await models.answer({
      question: message,
      rewrite: state.queries!,
      passages: state.passages,
      signal: config.signal,
      onDelta: (delta) => write(config, { type: "text_delta", delta }),
    });
    return {
      answer: result.text,
      answerKind: result.kind,
      citations: result.citations,
      messages: [new AIMessage(result.text)],
      thoughts: [
        result.kind === "extractive"
          ? `Quoted ${result.citations.length} sentence(s) from the sources.`
          : result.kind === "none"
            ? "Nothing relevant enough to answer from."
            : `Wrote an answer with ${result.citations.length} citation(s).`,
      ],
    };
  });

  const validate = step("validate", async (state) => {
    const validation: ValidationResult =
      state.answerKind === "none"
        ? { status: "unsupported", claims: [], issues: ["no relevant passages were found"] }
        : validateAnswer({ answer: state.answer, citations: state.citations, passages: state.passages });
    const checked = validation.claims.length;
    const ok = validation.claims.filter((c) => c.supported).length;
    return {
      validation,
      thoughts: [
        checked ? `Checked the answer: ${ok} of ${checked} sentence(s) supported by their sources.` : "",
      ].filter(Boolean),
    };
  });

  const respond = step("respond", async (state, config) => {
    const { message, history } = lastUserMessage(state.messages);
    const text = await models.respond({
      message,
      history,
      previousQuery: state.queries?.standalone ?? null,
      signal: config.signal,
    });
    for (const token of text.match(/\S+\s*/g) ?? [text]) write(config, { type: "text_delta", delta: token });
    return { answer: text, answerKind: "conversational", messages: [new AIMessage(text)] };
  });

  return new StateGraph(RagAgentState)
    .addNode("analyze", analyze)
    .addNode("rewrite", rewrite)
    .addNode("retrieve", retrieve)
    .addNode("rerank", rerank)
    .addNode("generate", generate)
    .addNode("validate", validate)
    .addNode("respond", respond)
    .addEdge(START, "analyze")
    .addConditionalEdges("analyze", routeAfterAnalyze, ["rewrite", "respond"])
    .addEdge("rewrite", "retrieve")
    .addConditionalEdges("retrieve", (s) => routeAfterRetrieve(s, threshold), ["rerank", "generate"])
    .addEdge("rerank", "generate")
    .addEdge("generate", "validate")
    .addEdge("validate", END)
    .addEdge("respond", END)
    .compile({ checkpointer: options.checkpointer ?? new MemorySaver() });
}

export type RagGraph = ReturnType<typeof buildRagGraph>;

function threadKey(tenant: TenantContext, threadId: string): string {
  // Tenant ids cannot contain "/", so the key is unambiguous; one tenant can never open another's thread.
  return `${tenant.tenantId}/${threadId}`;
}

const abortedError = () => new RagKitError("aborted", "The run was cancelled.");

/** Iterates `source`, but rejects as soon as `signal` aborts even if the source is stuck in a step. */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedError());
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    while (true) {
      const next = iterator.next();
      next.catch(() => {});
      const result = await Promise.race([next, aborted]);
      if (result.done) return;
      yield result.value;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    iterator.return?.()?.catch(() => {});
  }
}

export interface RagAgent {
  /** The compiled LangGraph graph (for `getState`, `getStateHistory`, visualisation). */
  readonly graph: RagGraph;
  /** Runs one turn and streams its events. Never throws: failures end the stream with `run_error`. */
  stream(message: string, options: AgentStreamOptions): AsyncGenerator<AgentEvent, void, undefined>;
  /** Runs one turn to completion. Throws the run's error as a RagKitError. */
  run(message: string, options: AgentStreamOptions): Promise<AgentRunResult>;
  /** The conversation so far on a thread of this tenant. */
  getMessages(tenant: TenantContext, threadId: string): Promise<HistoryTurn[]>;
}

export function createRagAgent(options: RagAgentOptions): RagAgent {
  const graph = buildRagGraph(options);
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  // One run at a time per thread: two interleaved turns would fork the thread's checkpoints.
  const activeThreads = new Set<string>();

  async function* stream(
    message: string,
    streamOptions: AgentStreamOptions,
  ): AsyncGenerator<AgentEvent, void, undefined> {
    const runId = streamOptions?.runId ?? randomUUID();
    const threadId = streamOptions?.threadId ?? randomUUID();
    const ids = { runId, threadId };
    const given: unknown = streamOptions?.tenant;
    let tenant: TenantContext | null = null;
    try {
      assertTenantContext(given);
      tenant = given;
    } catch {}
    yield { type: "run_started", ...ids, tenantId: tenant?.tenantId ?? null, timestamp: Date.now() };

    const internal = new AbortController();
    const signal = streamOptions?.signal
      ? AbortSignal.any([streamOptions.signal, internal.signal])
      : internal.signal;
    let current: AgentStep = "start";
    let locked: string | null = null;
    try {
      if (!tenant) {
        throw new ValidationError("A verified TenantContext (options.tenant) is required to run the agent.", {
          details: [{ path: "tenant", message: "a TenantContext from createTenantContext() is required" }],
        });
      }
      checkInput(message, threadId, maxBytes);
      if (signal.aborted) throw abortedError();
      const key = threadKey(tenant, threadId);
      if (activeThreads.has(key)) {
        throw new RagKitError("conflict", "A run is already in progress on this thread.");
      }
      activeThreads.add(key);
      locked = key;
      const config = {
        configurable: { thread_id: key, tenant },
        streamMode: ["updates", "custom"] as ("updates" | "custom")[],
        signal,
      };
      const input = {
        messages: [new HumanMessage(message)],
        tenantId: tenant.tenantId,
        userId: tenant.userId,
        threadId,
      };
      const final = {
        answer: "",
        answerKind: "none" as AnswerKind,
        citations: [] as Citation[],
        validation: null as ValidationResult | null,
      };
      const chunks = (await graph.stream(input, config)) as AsyncIterable<[string, unknown]>;
      for await (const [mode, chunk] of untilAborted(chunks, signal)) {
        if (mode === "custom") {
          const payload = chunk as CustomPayload;
          if (payload.type === "step_started") current = payload.step;
          yield { ...ids, ...payload };
          continue;
        }
        if (mode !== "updates") continue;
        for (const [node, raw] of Object.entries(chunk as Record<string, RagAgentStateUpdate | undefined>)) {
          if (!raw || node.startsWith("__")) continue;
          const s = node as AgentStep;
          for (const text of thoughtsOf(raw.thoughts)) yield { type: "thought", ...ids, step: s, text };
          if (raw.answer !== undefined && s !== "analyze") {
            final.answer = raw.answer;
            final.answerKind = raw.answerKind ?? final.answerKind;
          }
          if (raw.citations !== undefined && s !== "analyze") {
            final.citations = raw.citations;
            yield { type: "citations", ...ids, citations: raw.citations };
          }
          if (raw.validation) {
            final.validation = raw.validation;
            yield { type: "validation", ...ids, validation: raw.validation };
          }
          if (raw.progress !== undefined) yield { type: "progress", ...ids, step: s, progress: raw.progress };
          yield { type: "step_finished", ...ids, step: s };
        }
      }
      if (signal.aborted) throw abortedError();
      yield { type: "run_finished", ...ids, ...final };
    } catch (error) {
      yield { type: "run_error", ...ids, ...describeError(error, signal, current, options.onInternalError) };
    } finally {
      internal.abort();
      if (locked) activeThreads.delete(locked);
    }
  }

  return {
    graph,
    stream,
    async run(message, runOptions) {
      const events: AgentEvent[] = [];
      for await (const event of stream(message, runOptions)) events.push(event);
      const last = events.at(-1);
      if (last?.type === "run_error") throw new RagKitError(last.code as RagKitError["code"], last.message);
      if (last?.type !== "run_finished") throw new RagKitError("aborted", "The run ended without a result.");
      const { runId, threadId, answer, answerKind, citations, validation } = last;
      return { runId, threadId, answer, answerKind, citations, validation, events };
    },
    async getMessages(tenant, threadId) {
      assertTenantContext(tenant);
      threadIdSchema.parse(threadId);
      const snapshot = await graph.getState({ configurable: { thread_id: threadKey(tenant, threadId) } });
      const messages = ((snapshot.values as Partial<RagAgentStateValue>).messages ?? []) as BaseMessage[];
      return lastUserMessage([...messages, new HumanMessage("")]).history;
    },
  };
}

/** New thoughts in a node's update: a plain array, or (from `analyze`) an Overwrite in its wire form. */
function thoughtsOf(value: unknown): string[] {
  if (Overwrite.isInstance(value)) {
    const o = value as { value?: unknown; __overwrite__?: unknown };
    return (o.value ?? o.__overwrite__ ?? []) as string[];
  }
  return Array.isArray(value) ? (value as string[]) : [];
}

function checkInput(message: unknown, threadId: string, maxBytes: number): void {
  if (typeof message !== "string") throw new ValidationError("The message must be a string.");
  if (message.trim().length === 0) {
    throw new ValidationError("The message is empty.", { details: [{ path: "message", message: "empty" }] });
  }
  const bytes = Buffer.byteLength(message, "utf8");
  if (bytes > maxBytes) {
    throw new RagKitError("too_large", `The message is ${bytes} bytes; the limit is ${maxBytes} bytes.`, {
      details: [{ path: "message", message: `at most ${maxBytes} bytes` }],
    });
  }
  const parsed = threadIdSchema.safeParse(threadId);
  if (!parsed.success) {
    throw new ValidationError(`Invalid thread id: ${parsed.error.issues[0]?.message ?? "invalid"}.`, {
      details: [{ path: "threadId", message: parsed.error.issues[0]?.message ?? "invalid" }],
    });
  }
}

function describeError(
  error: unknown,
  signal: AbortSignal,
  stepName: AgentStep,
  onInternalError?: (error: unknown) => void,
): { code: string; message: string } {
  if (signal.aborted) return { code: "aborted", message: "The run was cancelled." };
  if (isRagKitError(error)) return { code: error.code, message: error.message };
  onInternalError?.(error);
  return { code: "internal_error", message: `The agent failed during "${stepName}".` };
}

import { randomUUID } from "node:crypto";
import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import {
  type BaseCheckpointSaver,
  Command,
  END,
  type LangGraphRunnableConfig,
  Overwrite,
  START,
  StateGraph,
  type StateSnapshot,
} from "@langchain/langgraph";
import { z } from "zod";
import { ConfigError, isRagKitError, NotFoundError, RagKitError, ValidationError } from "../errors/index.js";
import { reciprocalRankFusion } from "../search/fusion.js";
import type { SearchResult } from "../search/types.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { assertTenantContext, type TenantContext } from "../tenant/context.js";
import type { ChartType } from "../tools/chart/schema.js";
import { createVisualization } from "../tools/chart/visualize.js";
import { type ReadOnlyQueryResult, runReadOnlyQuery } from "../tools/sql/execute.js";
import { nlToSql } from "../tools/sql/nl-to-sql.js";
import {
  type ApprovalDecision,
  type ApprovalStep,
  approvalStepSchema,
  type PendingInterrupt,
  parseDecision,
  pendingInterruptSchema,
  requestApproval,
} from "./approval.js";
import { isCheckpointStore, TenantCheckpointSaver } from "./checkpointer.js";
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
  type ToolCall,
  type ValidationResult,
} from "./state.js";
import { validateAnswer } from "./validate.js";

/** The part of the store the agent uses (a KnowledgeStore, or a wrapper around one). */
export type AgentStore = Pick<KnowledgeStore, "search">;

export interface RagAgentOptions {
  /** A KnowledgeStore (its tables also hold the checkpoints), or any object with `search`. */
  store: AgentStore;
  /** Replace any of the offline heuristic models. */
  models?: Partial<AgentModels>;
  /**
   * Conversation memory. Default: a `TenantCheckpointSaver` on the store's own tables (durable, tenant-scoped
   * by RLS). Required when the store is not a KnowledgeStore (pass a `MemorySaver` for in-process memory).
   */
  checkpointer?: BaseCheckpointSaver;
  /**
   * Steps and tools that pause for a human's approval before they run (see `agent.resume`).
   * Default: `["query_database"]` — database queries are approved by a person unless you opt out with `[]`.
   */
  requireApprovalFor?: readonly ApprovalStep[];
  /**
   * The read-only SQL tool (and charts) for data questions. Default: on when the store is a KnowledgeStore.
   * `false` routes data questions to the knowledge base instead.
   */
  dataTools?: boolean | { maxRows?: number; timeoutMs?: number };
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
  /** "interrupted": the run waits for approval (`interrupt` holds the request; the answer is empty). */
  status: "completed" | "interrupted";
  interrupt: PendingInterrupt | null;
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
  query: 1,
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
  const approvals = new Set(
    z.array(approvalStepSchema).parse(options.requireApprovalFor ?? ["query_database"]),
  );
  const sqlStore = options.dataTools !== false && isSqlStore(options.store) ? options.store : null;
  const sqlLimits = typeof options.dataTools === "object" ? options.dataTools : {};
  const checkpointer = options.checkpointer ?? defaultCheckpointer(options.store);

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
      thoughts.push(
        sqlStore
          ? "Answering from your structured data with a read-only database query."
          : "Database tools are not available here: searching the documents instead.",
      );
    }
    return {
      analysis,
      passages: [],
      answer: "",
      answerKind: "none",
      citations: [],
      validation: null,
      toolCalls: [],
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
    let variations = state.queries!.variations;
    if (approvals.has("retrieve")) {
      // Nothing above this line has side effects: on resume the node re-runs from its start.
      const decision = requestApproval({
        kind: "approval",
        tool: "retrieve",
        args: { queries: variations },
        reason: "Searching the knowledge base requires approval (requireApprovalFor: retrieve).",
      });
      if (decision.type === "reject") {
        return {
          passages: [],
          thoughts: [`The search was not approved${decision.reason ? `: ${decision.reason}` : "."}`],
        };
      }
      if (decision.type === "edit") variations = (decision.args as { queries: string[] }).queries;
    }
    const lists: SearchResult[][] = [];
    // Sequential on purpose: an embedded PGlite is one session, and each search is one short transaction.
    for (const query of variations) {
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

  const query = step("query", async (state, config) => {
    const tenant = tenantFromConfig(config);
    const { message } = lastUserMessage(state.messages);
    const plan = nlToSql(message);
    if (plan.sql === null) {
      const text = `I could not turn this into a database query: ${plan.reason}`;
      return { answer: text, answerKind: "none", messages: [new AIMessage(text)], thoughts: [plan.reason] };
    }
    let sql = plan.sql;
    if (approvals.has("query_database")) {
      // Nothing above this line has side effects: on resume the node re-runs from its start.
      const decision = requestApproval({
        kind: "approval",
        tool: "query_database",
        args: { sql },
        reason: `Run this read-only query to answer "${message.slice(0, 200)}"?`,
      });
      if (decision.type === "reject") {
        const text = `The database query was not approved${decision.reason ? `: ${decision.reason}` : "."}`;
        return { answer: text, answerKind: "none", messages: [new AIMessage(text)], thoughts: [text] };
      }
      if (decision.type === "edit") sql = (decision.args as { sql: string }).sql;
    }
    throwIfAborted(config);
    const result = await runReadOnlyQuery(sqlStore!, tenant, sql, sqlLimits);
    const toolCalls: ToolCall[] = [
      { id: randomUUID(), name: "query_database", args: { sql, question: message }, result },
    ];
    const thoughts = [
      `The query returned ${result.rowCount} row(s)${result.truncated ? " (truncated)" : ""}.`,
    ];
    if (state.analysis?.intent === "chart_request") {
      const chart = createVisualization({
        data: result,
        chartType: chartTypeFor(message),
        title: plan.description,
      });
      toolCalls.push({
        id: randomUUID(),
        name: "create_visualization",
        args: { chartType: chartTypeFor(message), title: plan.description },
        result: chart.ok ? chart.spec : { error: chart.error },
      });
      thoughts.push(chart.ok ? `Drew a ${chart.spec.type} chart.` : `No chart: ${chart.error.message}`);
    }
    const text = describeRows(plan.description, sql, result);
    for (const token of text.match(/\S+\s*/g) ?? [text]) write(config, { type: "text_delta", delta: token });
    return { answer: text, answerKind: "data", toolCalls, messages: [new AIMessage(text)], thoughts };
  });

  return new StateGraph(RagAgentState)
    .addNode("analyze", analyze)
    .addNode("rewrite", rewrite)
    .addNode("retrieve", retrieve)
    .addNode("rerank", rerank)
    .addNode("generate", generate)
    .addNode("validate", validate)
    .addNode("respond", respond)
    .addNode("query", query)
    .addEdge(START, "analyze")
    .addConditionalEdges("analyze", (st) => routeAfterAnalyze(st, { dataTools: sqlStore !== null }), [
      "rewrite",
      "respond",
      "query",
    ])
    .addEdge("query", END)
    .addEdge("rewrite", "retrieve")
    .addConditionalEdges("retrieve", (s) => routeAfterRetrieve(s, threshold), ["rerank", "generate"])
    .addEdge("rerank", "generate")
    .addEdge("generate", "validate")
    .addEdge("validate", END)
    .addEdge("respond", END)
    .compile({ checkpointer });
}

function defaultCheckpointer(store: AgentStore): BaseCheckpointSaver {
  if (isCheckpointStore(store)) return new TenantCheckpointSaver(store);
  throw new ConfigError(
    "createRagAgent needs a checkpointer when the store is not a KnowledgeStore (e.g. checkpointer: new MemorySaver()).",
  );
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

export interface AgentResumeOptions {
  tenant: TenantContext;
  threadId: string;
  decision: ApprovalDecision;
  signal?: AbortSignal;
  runId?: string;
}

export interface AgentContinueOptions {
  tenant: TenantContext;
  threadId: string;
  /** Continue from this checkpoint (e.g. a fork). Default: the thread's latest checkpoint. */
  checkpointId?: string;
  signal?: AbortSignal;
  runId?: string;
}

export interface CheckpointSummary {
  checkpointId: string;
  parentCheckpointId: string | null;
  /** LangGraph's step: -1 for the input checkpoint of a turn, then 0, 1, … */
  step: number;
  /** "input", "loop", "update" or "fork". */
  source: string;
  /** The node whose result this checkpoint holds ("input" / "start" / "update" for the others). */
  node: string;
  createdAt: string;
  /** Nodes that run next from here (empty when the turn is finished). */
  next: string[];
}

export interface CheckpointState {
  checkpointId: string;
  parentCheckpointId: string | null;
  createdAt: string;
  next: string[];
  values: RagAgentStateValue;
  /** The conversation as of this checkpoint. */
  messages: HistoryTurn[];
  /** An approval request waiting at this checkpoint, if any. */
  interrupt: PendingInterrupt | null;
}

export interface ForkOptions {
  /** State changes applied on top of the historical checkpoint (the tenant fields cannot be changed). */
  values?: RagAgentStateUpdate;
  /** Apply `values` as if written by this node (decides what runs next). Default: LangGraph's choice. */
  asNode?: AgentStep;
}

export interface ForkResult {
  threadId: string;
  /** The new checkpoint: continue from it with `agent.continue({ threadId, checkpointId })`. */
  checkpointId: string;
  next: string[];
}

export interface RagAgent {
  /** The compiled LangGraph graph (for `getState`, `getStateHistory`, visualisation). */
  readonly graph: RagGraph;
  /** Runs one turn and streams its events. Never throws: failures end the stream with `run_error`. */
  stream(message: string, options: AgentStreamOptions): AsyncGenerator<AgentEvent, void, undefined>;
  /** Runs one turn to completion (or to an approval interrupt). Throws the run's error as a RagKitError. */
  run(message: string, options: AgentStreamOptions): Promise<AgentRunResult>;
  /** Answers the pending approval request of a thread and streams the rest of the run. */
  resume(options: AgentResumeOptions): AsyncGenerator<AgentEvent, void, undefined>;
  /** Continues an unfinished run (cancelled, crashed, or forked) from its last checkpoint. */
  continue(options: AgentContinueOptions): AsyncGenerator<AgentEvent, void, undefined>;
  /** The approval request a thread is waiting on, read from its checkpoint (null when none). */
  getPendingInterrupt(tenant: TenantContext, threadId: string): Promise<PendingInterrupt | null>;
  /** The conversation so far on a thread of this tenant. */
  getMessages(tenant: TenantContext, threadId: string): Promise<HistoryTurn[]>;
  /** Deletes a thread's checkpoints (history, pending approvals) for this tenant. */
  deleteThread(tenant: TenantContext, threadId: string): Promise<void>;
  /** The thread's checkpoints, newest first. */
  listCheckpoints(
    tenant: TenantContext,
    threadId: string,
    options?: { limit?: number },
  ): Promise<CheckpointSummary[]>;
  /** The state at one checkpoint of the thread. */
  getStateAt(tenant: TenantContext, threadId: string, checkpointId: string): Promise<CheckpointState>;
  /** Branches the thread at a historical checkpoint (LangGraph `updateState`); continue from the result. */
  fork(
    tenant: TenantContext,
    threadId: string,
    checkpointId: string,
    options?: ForkOptions,
  ): Promise<ForkResult>;
}

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

/** The approval request waiting in a snapshot's tasks, if any. */
function interruptOf(snapshot: StateSnapshot): PendingInterrupt | null {
  for (const task of snapshot.tasks ?? []) {
    for (const i of task.interrupts ?? []) {
      const parsed = pendingInterruptSchema.safeParse({ ...(i.value as object), id: i.id });
      if (parsed.success) return parsed.data;
    }
  }
  return null;
}

function nodeOf(snapshot: StateSnapshot): string {
  const source = snapshot.metadata?.source ?? "loop";
  if (source !== "loop") return source;
  if ((snapshot.metadata?.step ?? 0) <= 0) return "start";
  return (snapshot.values as Partial<RagAgentStateValue>).step ?? "start";
}

function checkThreadId(threadId: unknown): string {
  const parsed = threadIdSchema.safeParse(threadId);
  if (!parsed.success) {
    throw new ValidationError(`Invalid thread id: ${parsed.error.issues[0]?.message ?? "invalid"}.`, {
      details: [{ path: "threadId", message: parsed.error.issues[0]?.message ?? "invalid" }],
    });
  }
  return parsed.data;
}

const checkpointIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/);

export function createRagAgent(options: RagAgentOptions): RagAgent {
  const graph = buildRagGraph(options);
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
          for (const text of thoughtsOf(update.thoughts)) yield { type: "thought", ...ids, step: s, text };
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
      yield { type: "run_finished", ...ids, status: interrupted ? "interrupted" : "completed", ...final };
    } catch (error) {
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
      const { runId, threadId, status, answer, answerKind, citations, validation } = last;
      const interrupt = events.find((e) => e.type === "interrupt")?.interrupt ?? null;
      return { runId, threadId, status, interrupt, answer, answerKind, citations, validation, events };
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

/** A store the SQL tool can run on: a KnowledgeStore (or an object with the same driver surface). */
function isSqlStore(store: AgentStore): store is KnowledgeStore {
  const s = store as Partial<KnowledgeStore>;
  return (
    typeof s.withTenant === "function" &&
    typeof s.driver?.transaction === "function" &&
    typeof s.schema === "string"
  );
}

/** Line charts for time series, pies for shares, bars otherwise (the user's words win). */
function chartTypeFor(message: string): ChartType {
  const m = message.toLowerCase();
  for (const t of ["line", "bar", "pie", "area", "scatter"] as const) if (m.includes(t)) return t;
  if (/\b(share|proportion|split)\b/.test(m)) return "pie";
  return /\b(monthly|month|trend|over time|per month)\b/.test(m) ? "line" : "bar";
}

/** The data answer: what was computed, the first rows as a Markdown table, and the SQL that produced them. */
function describeRows(description: string, sql: string, result: ReadOnlyQueryResult): string {
  if (result.rowCount === 0) return `${description}: the query returned no rows.\n\nQuery: \`${sql}\``;
  const shown = result.rows.slice(0, 20);
  const cell = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  const table = [
    `| ${result.columns.join(" | ")} |`,
    `| ${result.columns.map(() => "---").join(" | ")} |`,
    ...shown.map((row) => `| ${result.columns.map((c) => cell(row[c])).join(" | ")} |`),
  ].join("\n");
  const more =
    result.rowCount > shown.length || result.truncated
      ? `\n\n(${shown.length} of ${result.rowCount}${result.truncated ? "+" : ""} rows shown)`
      : "";
  return `${description}:\n\n${table}${more}\n\nQuery: \`${sql}\``;
}

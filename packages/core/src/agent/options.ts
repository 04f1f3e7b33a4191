import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import type { TenantContext } from "../tenant/context.js";
import type { ReadOnlyQueryOptions } from "../tools/sql/execute.js";
import type { ApprovalDecision, ApprovalStep, PendingInterrupt } from "./approval.js";
import type { RagGraph } from "./build.js";
import type { AppContextItem, ClientToolInput } from "./client-tools.js";
import type { AgentEvent } from "./events.js";
import type { ConversationMessage, ConversationToolCall } from "./messages.js";
import type { AgentModels, HistoryTurn } from "./models.js";
import type {
  AgentStep,
  AnswerKind,
  Citation,
  RagAgentStateUpdate,
  RagAgentStateValue,
  ValidationResult,
} from "./state.js";
import type { RunUsage } from "./usage.js";

/** The part of the store the agent uses (a KnowledgeStore, or a wrapper around one). */
/** What the agent searches: `search`, and `searchMany` (one transaction for a step's queries) when present. */
export type AgentStore = Pick<KnowledgeStore, "search"> & Partial<Pick<KnowledgeStore, "searchMany">>;

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
  dataTools?: boolean | ReadOnlyQueryOptions;
  /** Rerank only when retrieval returns more than this many passages. Default 3. */
  rerankThreshold?: number;
  /** Results per query variation. Default 8. */
  retrieveTopK?: number;
  /** Passages kept after fusing the variations. Default 12. */
  maxCandidates?: number;
  /** Maximum user message size in UTF-8 bytes. Default 32 KiB. */
  maxMessageBytes?: number;
  /**
   * Let the answer model call `search_knowledge_base` for a follow-up search (at most 2 tool rounds), when its
   * chat model supports tool calling. Default true.
   */
  answerTools?: boolean;
  /**
   * Record each run's token usage in the store's `usage_records` table (kind `agent_<role>`). Default: on when
   * the store is a KnowledgeStore and a model reported usage.
   */
  recordUsage?: boolean;
  /**
   * When a finished step's checkpoint is written. "sync" (default): before the next step starts, so a crash
   * never loses a finished step (model calls are slow and cost money; the write is a few ms). "async":
   * LangGraph's default, the write overlaps the next step and a crash may lose the last step.
   */
  durability?: "sync" | "async";
  /** Called with unexpected (non-RagKitError) failures, whose details are not sent to clients. */
  onInternalError?: (error: unknown) => void;
  /**
   * Milliseconds between the words of text the agent composes itself — offline extractive answers and
   * replies, data answers, approval notes — so that a chat visibly streams them (otherwise a whole answer
   * arrives within a millisecond). Model output streams at the model's pace regardless. Default 0; the demo
   * uses 20.
   */
  offlineStreamDelayMs?: number;
}

/**
 * What a chat client adds to a run (CopilotKit / AG-UI `RunAgentInput.tools` and `context`). Validated and
 * bounded; they reach the answer models only and never decide the tenant.
 */
export interface ClientRunOptions {
  /** Tools the client runs itself: offered to the answer models next to the agent's own tools. */
  tools?: readonly ClientToolInput[];
  /** Context from the app (`{description, value}`), shown to the answer models; cut to `APP_CONTEXT_LIMITS`. */
  context?: readonly AppContextItem[];
}

export interface AgentStreamOptions extends ClientRunOptions {
  /** Created by the caller from a verified identity. Never taken from the message or model output. */
  tenant: TenantContext;
  /** The conversation (session) id. Default: a new thread. Threads are scoped per tenant. */
  threadId?: string;
  signal?: AbortSignal;
  runId?: string;
  /** The id of the user's message (e.g. the chat client's): replays show it under this id. Default: a new id. */
  messageId?: string;
}

/** The client's results for the client tool calls an answer model made (`AnswerOutput.toolCalls`). */
export interface AgentToolResultsOptions extends ClientRunOptions {
  tenant: TenantContext;
  threadId: string;
  results: ReadonlyArray<{ toolCallId: string; content: string; messageId?: string }>;
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
  /** Token usage of the run's model calls (absent with offline models). */
  usage?: RunUsage;
  events: AgentEvent[];
}

export interface AgentResumeOptions extends ClientRunOptions {
  tenant: TenantContext;
  threadId: string;
  decision: ApprovalDecision;
  signal?: AbortSignal;
  runId?: string;
}

export interface AgentContinueOptions extends ClientRunOptions {
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
  /** The conversation as of this checkpoint (user and assistant text). */
  messages: HistoryTurn[];
  /** Every message as of this checkpoint, with ids, tool calls and tool results (what clients replay). */
  conversation: ConversationMessage[];
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
  /**
   * Continues a turn whose answer model called client tools, with the client's results (the turn's
   * `pendingToolCalls`; a call without a result gets an error result). Streams the rest of the turn.
   */
  submitToolResults(options: AgentToolResultsOptions): AsyncGenerator<AgentEvent, void, undefined>;
  /** Client tool calls a thread's answer model made that wait for the client's results (empty when none). */
  getPendingToolCalls(tenant: TenantContext, threadId: string): Promise<ConversationToolCall[]>;
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

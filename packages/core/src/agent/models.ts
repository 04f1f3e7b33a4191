import type { StructuredToolInterface } from "@langchain/core/tools";
import type { DescribedDataset } from "../tools/sql/datasets/describe.js";
import type { AppContextItem, ClientTool, ClientToolRound } from "./client-tools.js";
import type { ConversationToolCall } from "./messages.js";
import type { Analysis, AnswerKind, Citation, Passage, Rewrite, ValidationResult } from "./state.js";
import type { ModelUsage } from "./usage.js";

/**
 * Callbacks every model input carries (all optional, so offline models ignore them): token usage of each model
 * call, and user-facing notes ("the model's output was invalid: used the offline analyzer") shown as thoughts.
 */
export interface ModelCallbacks {
  onUsage?: (usage: ModelUsage) => void;
  onNote?: (note: string) => void;
}

/** One earlier turn of the conversation, oldest first. */
export interface HistoryTurn {
  role: "user" | "assistant";
  content: string;
}

export interface AnalyzeInput extends ModelCallbacks {
  message: string;
  history: readonly HistoryTurn[];
  /** The standalone query of the last retrieval turn on this thread, if any. */
  previousQuery: string | null;
  signal?: AbortSignal;
}

export interface RewriteInput extends AnalyzeInput {
  analysis: Analysis;
}

export interface RerankInput extends ModelCallbacks {
  rewrite: Rewrite;
  /** Candidates in fused (RRF) order. */
  passages: readonly Passage[];
  signal?: AbortSignal;
}

export interface AnswerInput extends ModelCallbacks {
  question: string;
  rewrite: Rewrite;
  /** Best first; `sentences` is set when the reranker compressed them. */
  passages: readonly Passage[];
  signal?: AbortSignal;
  /** Streams answer text as it is produced; the concatenated deltas must equal the returned `text`. */
  onDelta: (delta: string) => void;
  /**
   * Tools the answer model may call (built per run, bound to the run's tenant): `search_knowledge_base` for a
   * follow-up search. Passages found through it are returned in `AnswerOutput.passages`.
   */
  tools?: readonly StructuredToolInterface[];
  /** Set when regenerating: why the previous answer failed validation, one issue per line. */
  feedback?: readonly string[];
  /** The client's answers to this turn's client tool calls, and what the app tells about itself. */
  client?: ClientModelInput;
}

/**
 * What the client of a run adds for the answer models: tools it runs itself (a model that calls one returns
 * `toolCalls` and the turn pauses until the client sends the results), the exchanges with them so far this
 * turn, and bounded context from the app (useAgentContext / useCopilotReadable). Never a source of tenancy.
 */
export interface ClientModelInput {
  tools: readonly ClientTool[];
  rounds: readonly ClientToolRound[];
  context: readonly AppContextItem[];
}

export interface AnswerOutput {
  text: string;
  citations: Citation[];
  kind: AnswerKind;
  /** Passages the answer cites beyond `input.passages` (found by a tool call), appended after them. */
  passages?: Passage[];
  /** Client tool calls to run in the client: the turn continues when their results arrive. */
  toolCalls?: ConversationToolCall[];
}

export interface RespondInput extends AnalyzeInput {
  /** Streams reply text as it is produced (a model that does not stream may ignore it: the node streams it). */
  onDelta?: (delta: string) => void;
  client?: ClientModelInput;
}

/** A conversational reply; with `toolCalls`, the model called client tools first. */
export interface RespondOutput {
  text: string;
  toolCalls?: ConversationToolCall[];
}

export interface JudgeInput extends ModelCallbacks {
  question: string;
  answer: string;
  citations: readonly Citation[];
  passages: readonly Passage[];
  /** The lexical validation of the same answer (the judge refines it claim by claim). */
  lexical: ValidationResult;
  signal?: AbortSignal;
}

/** A failed earlier proposal and why it failed (validator, plan fence, cost bound or database error). */
export interface SqlAttempt {
  sql: string;
  error: string;
}

export interface WriteSqlInput extends ModelCallbacks {
  question: string;
  /** Only the tenant's datasets, with its own sample values and rows. */
  datasets: readonly DescribedDataset[];
  /** Earlier proposals for this question that failed, oldest first (empty on the first try). */
  attempts: readonly SqlAttempt[];
  signal?: AbortSignal;
}

/** One SELECT and what it computes, or why the data cannot answer the question. */
export type WriteSqlOutput = { sql: string; description: string } | { sql: null; reason: string };

export interface SummarizeDataInput extends ModelCallbacks {
  question: string;
  sql: string;
  columns: readonly string[];
  rows: readonly Record<string, unknown>[];
  truncated: boolean;
  onDelta: (delta: string) => void;
  signal?: AbortSignal;
}

/**
 * The pluggable "models" of the agent. Every one has an offline heuristic default (see `offline.ts`); the
 * LLM-backed implementations (OpenAI / Anthropic / OpenAI-compatible via @langchain) are in `llm/`
 * (`createLlmModels`).
 */
export interface AgentModels {
  analyze(input: AnalyzeInput): Analysis | Promise<Analysis>;
  rewrite(input: RewriteInput): Rewrite | Promise<Rewrite>;
  /** Reorders, drops irrelevant passages and (optionally) compresses them to their relevant sentences. */
  rerank(input: RerankInput): Passage[] | Promise<Passage[]>;
  answer(input: AnswerInput): AnswerOutput | Promise<AnswerOutput>;
  /** The reply to conversational input (greetings, thanks, "what can you do?"). */
  respond(input: RespondInput): string | RespondOutput | Promise<string | RespondOutput>;
  /**
   * Optional LLM judge: checks each answer sentence against its cited passages. When present, an answer it finds
   * unsupported or partially supported is regenerated once (see docs/agent.md).
   */
  judge?(input: JudgeInput): ValidationResult | Promise<ValidationResult>;
  /**
   * Optional SQL writer of the `query` step: one SELECT over the tenant's registered datasets. Without it the
   * offline translator (`nlToSql`) is used. Its SQL goes through every check of the SQL tool.
   */
  writeSql?(input: WriteSqlInput): WriteSqlOutput | Promise<WriteSqlOutput>;
  /** Optional: the data answer as prose from the query's result (offline: a table). Streams via `onDelta`. */
  summarizeData?(input: SummarizeDataInput): string | Promise<string>;
}

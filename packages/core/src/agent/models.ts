import type { Analysis, AnswerKind, Citation, Passage, Rewrite } from "./state.js";

/** One earlier turn of the conversation, oldest first. */
export interface HistoryTurn {
  role: "user" | "assistant";
  content: string;
}

export interface AnalyzeInput {
  message: string;
  history: readonly HistoryTurn[];
  /** The standalone query of the last retrieval turn on this thread, if any. */
  previousQuery: string | null;
  signal?: AbortSignal;
}

export interface RewriteInput extends AnalyzeInput {
  analysis: Analysis;
}

export interface RerankInput {
  rewrite: Rewrite;
  /** Candidates in fused (RRF) order. */
  passages: readonly Passage[];
  signal?: AbortSignal;
}

export interface AnswerInput {
  question: string;
  rewrite: Rewrite;
  /** Best first; `sentences` is set when the reranker compressed them. */
  passages: readonly Passage[];
  signal?: AbortSignal;
  /** Streams answer text as it is produced; the concatenated deltas must equal the returned `text`. */
  onDelta: (delta: string) => void;
}

export interface AnswerOutput {
  text: string;
  citations: Citation[];
  kind: AnswerKind;
}

/**
 * The pluggable "models" of the agent. Every one has an offline heuristic default (see `offline.ts`); LLM-backed
 * implementations (OpenAI / Anthropic via @langchain) are a later slice and plug in here.
 */
export interface AgentModels {
  analyze(input: AnalyzeInput): Analysis | Promise<Analysis>;
  rewrite(input: RewriteInput): Rewrite | Promise<Rewrite>;
  /** Reorders, drops irrelevant passages and (optionally) compresses them to their relevant sentences. */
  rerank(input: RerankInput): Passage[] | Promise<Passage[]>;
  answer(input: AnswerInput): AnswerOutput | Promise<AnswerOutput>;
  /** The reply to conversational input (greetings, thanks, "what can you do?"). */
  respond(input: AnalyzeInput): string | Promise<string>;
}

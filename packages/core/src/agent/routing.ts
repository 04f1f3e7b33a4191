import type { RagAgentStateValue } from "./state.js";

/** Default: rerank only when retrieval returned more than this many passages. */
export const DEFAULT_RERANK_THRESHOLD = 3;

/**
 * analyze → respond for conversational input (no retrieval); → query for data questions and chart requests
 * when the SQL tool is available; → respond when an LLM analyzer says no retrieval is needed; otherwise → rewrite (knowledge-base retrieval).
 */
export function routeAfterAnalyze(
  state: Pick<RagAgentStateValue, "analysis">,
  options: { dataTools?: boolean } = {},
): "rewrite" | "respond" | "query" {
  const intent = state.analysis?.intent;
  if (intent === "conversational") return "respond";
  if (options.dataTools && (intent === "data_question" || intent === "chart_request")) return "query";
  // An LLM analyzer may decide a question needs no documents ("what is 2 + 2?"): answer it directly.
  if (state.analysis?.needsRetrieval === false && intent !== "data_question" && intent !== "chart_request") {
    return "respond";
  }
  return "rewrite";
}

/**
 * retrieve → rerank when there are more than `threshold` passages to choose from, otherwise straight to
 * generate (which compresses the few passages itself, or says nothing was found).
 */
export function routeAfterRetrieve(
  state: Pick<RagAgentStateValue, "passages"> & Partial<Pick<RagAgentStateValue, "approval">>,
  threshold = DEFAULT_RERANK_THRESHOLD,
): "rerank" | "generate" | "approve" {
  if (waitsForApproval(state)) return "approve";
  return state.passages.length > threshold ? "rerank" : "generate";
}

/**
 * query → approve when the query needs a person's go-ahead; → END once the data tools answered (a table, a
 * chart, or a refused approval); → rewrite when the question could not be turned into a query, so the
 * knowledge base gets its chance.
 */
export function routeAfterQuery(
  state: Pick<RagAgentStateValue, "answer"> & Partial<Pick<RagAgentStateValue, "approval">>,
): "rewrite" | "approve" | "__end__" {
  if (waitsForApproval(state)) return "approve";
  return state.answer === "" ? "rewrite" : "__end__";
}

const waitsForApproval = (state: Partial<Pick<RagAgentStateValue, "approval">>) =>
  state.approval != null && state.approval.decision === null;

/** START → the answer model whose client tool calls just got their results; → analyze for a new question. */
export function routeStart(
  state: Pick<RagAgentStateValue, "messages" | "pendingToolCalls" | "toolNode">,
): "analyze" | "generate" | "respond" {
  const last = state.messages.at(-1);
  if (state.pendingToolCalls.length > 0 && last?.getType() === "tool") return state.toolNode ?? "generate";
  return "analyze";
}

/** generate → END while client tool calls wait for their results; → validate otherwise. */
export function routeAfterGenerate(
  state: Pick<RagAgentStateValue, "pendingToolCalls">,
): "validate" | "__end__" {
  return state.pendingToolCalls.length > 0 ? "__end__" : "validate";
}

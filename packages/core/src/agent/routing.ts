import type { RagAgentStateValue } from "./state.js";

/** Default: rerank only when retrieval returned more than this many passages. */
export const DEFAULT_RERANK_THRESHOLD = 3;

/**
 * analyze → respond for conversational input (no retrieval); → query for data questions and chart requests
 * when the SQL tool is available; otherwise → rewrite (knowledge-base retrieval).
 */
export function routeAfterAnalyze(
  state: Pick<RagAgentStateValue, "analysis">,
  options: { dataTools?: boolean } = {},
): "rewrite" | "respond" | "query" {
  const intent = state.analysis?.intent;
  if (intent === "conversational") return "respond";
  if (options.dataTools && (intent === "data_question" || intent === "chart_request")) return "query";
  return "rewrite";
}

/**
 * retrieve → rerank when there are more than `threshold` passages to choose from, otherwise straight to
 * generate (which compresses the few passages itself, or says nothing was found).
 */
export function routeAfterRetrieve(
  state: Pick<RagAgentStateValue, "passages">,
  threshold = DEFAULT_RERANK_THRESHOLD,
): "rerank" | "generate" {
  return state.passages.length > threshold ? "rerank" : "generate";
}

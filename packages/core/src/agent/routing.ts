import type { RagAgentStateValue } from "./state.js";

/** Default: rerank only when retrieval returned more than this many passages. */
export const DEFAULT_RERANK_THRESHOLD = 3;

/** analyze → respond for conversational input (no retrieval), otherwise → rewrite. */
export function routeAfterAnalyze(state: Pick<RagAgentStateValue, "analysis">): "rewrite" | "respond" {
  return state.analysis?.intent === "conversational" ? "respond" : "rewrite";
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

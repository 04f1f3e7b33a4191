import { callbacks, type GraphDeps, lastUserMessage, step } from "./common.js";

export function rewriteNode(deps: GraphDeps) {
  return step("rewrite", async (state, config) => {
    const { message, history } = lastUserMessage(state.messages);
    const calls = callbacks(config.signal);
    const result = await deps.models.rewrite({
      message,
      history,
      previousQuery: state.queries?.standalone ?? null,
      analysis: state.analysis!,
      ...calls.input,
    });
    const more = result.variations.length - 1;
    const thoughts = [
      ...calls.notes,
      `Searching for "${result.standalone}"${more > 0 ? ` and ${more} variation(s)` : ""}.`,
    ];
    if (result.hypothetical) thoughts.push("Also searching with a hypothetical answer (HyDE).");
    return { queries: result, thoughts, usage: calls.usage };
  });
}

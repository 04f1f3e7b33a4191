import { callbacks, type GraphDeps, step } from "./common.js";

export function rerankNode(deps: GraphDeps) {
  return step("rerank", async (state, config) => {
    const calls = callbacks(config.signal);
    const passages = await deps.models.rerank({
      rewrite: state.queries!,
      passages: state.passages,
      ...calls.input,
    });
    return {
      passages,
      thoughts: [
        ...calls.notes,
        `Kept the ${passages.length} most relevant of ${state.passages.length} passages.`,
      ],
      usage: calls.usage,
    };
  });
}

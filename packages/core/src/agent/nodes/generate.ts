import { randomUUID } from "node:crypto";
import { AIMessage } from "@langchain/core/messages";
import { createAgentTools } from "../tools.js";
import { callbacks, type GraphDeps, lastUserMessage, step, tenantFromConfig, write } from "./common.js";

export function generateNode(deps: GraphDeps) {
  return step("generate", async (state, config) => {
    const { message } = lastUserMessage(state.messages);
    const calls = callbacks(config.signal);
    const regenerating = state.attempts > 0;
    // Built per run: the tools close over this run's tenant, which the model can neither see nor choose.
    const tools = deps.answerTools
      ? [
          createAgentTools({
            store: deps.store,
            tenant: tenantFromConfig(config),
            topK: deps.retrieveTopK,
            signal: config.signal,
          }).searchKnowledgeBase,
        ]
      : undefined;
    let first = regenerating;
    const result = await deps.models.answer({
      question: message,
      rewrite: state.queries!,
      passages: state.passages,
      onDelta: (delta) => {
        write(config, { type: "text_delta", delta, ...(first ? { reset: true } : {}) });
        first = false;
      },
      ...calls.input,
      ...(tools ? { tools } : {}),
      ...(regenerating && state.validation ? { feedback: state.validation.issues } : {}),
    });
    const extra = result.passages ?? [];
    // A regenerated answer replaces the first one in the conversation (same message id), not follows it.
    const previousId = regenerating ? state.messages.findLast((m) => m.getType() === "ai")?.id : undefined;
    const thoughts = [
      ...calls.notes,
      result.kind === "extractive"
        ? `Quoted ${result.citations.length} sentence(s) from the sources.`
        : result.kind === "none"
          ? "Nothing relevant enough to answer from."
          : `Wrote an answer with ${result.citations.length} citation(s).`,
    ];
    if (extra.length) thoughts.unshift(`Searched again and found ${extra.length} more passage(s).`);
    return {
      answer: result.text,
      answerKind: result.kind,
      citations: result.citations,
      attempts: state.attempts + 1,
      messages: [new AIMessage({ content: result.text, id: previousId ?? `answer-${randomUUID()}` })],
      ...(extra.length ? { passages: [...state.passages, ...extra] } : {}),
      thoughts,
      usage: calls.usage,
    };
  });
}

import { AIMessage } from "@langchain/core/messages";
import { callbacks, type GraphDeps, lastUserMessage, step, write } from "./common.js";

/** Conversational replies (greetings, thanks): no retrieval. */
export function respondNode(deps: GraphDeps) {
  return step("respond", async (state, config) => {
    const { message, history } = lastUserMessage(state.messages);
    const calls = callbacks(config.signal);
    const text = await deps.models.respond({
      message,
      history,
      previousQuery: state.queries?.standalone ?? null,
      ...calls.input,
    });
    for (const token of text.match(/\S+\s*/g) ?? [text]) write(config, { type: "text_delta", delta: token });
    return {
      answer: text,
      answerKind: "conversational",
      messages: [new AIMessage(text)],
      usage: calls.usage,
      ...(calls.notes.length ? { thoughts: calls.notes } : {}),
    };
  });
}

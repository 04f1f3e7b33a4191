import { AIMessage } from "@langchain/core/messages";
import { newMessageId } from "../messages.js";
import { callbacks, type GraphDeps, lastUserMessage, step, textWriter } from "./common.js";
import { clientModelInput, toolCallsOf } from "./generate.js";

/** Conversational replies (greetings, thanks, app actions through client tools): no retrieval. */
export function respondNode(deps: GraphDeps) {
  return step("respond", async (state, config) => {
    const { message, history } = lastUserMessage(state.messages);
    const calls = callbacks(config.signal);
    const messageId = newMessageId("answer");
    const writer = textWriter(config, deps, messageId, deps.offline.respond);
    let streamed = "";
    const client = clientModelInput(state, config);
    const reply = await deps.models.respond({
      message,
      history,
      previousQuery: state.queries?.standalone ?? null,
      onDelta: (delta) => {
        streamed += delta;
        writer.write(delta);
      },
      ...calls.input,
      ...(client.tools.length || client.rounds.length || client.context.length ? { client } : {}),
    });
    const { text, toolCalls = [] } = typeof reply === "string" ? { text: reply } : reply;
    // A model that returned its reply whole (offline, or not streaming): stream it word by word now.
    if (streamed === "") writer.text(text);
    await writer.drain();
    const base = {
      messages: [
        new AIMessage({
          id: messageId,
          content: text,
          ...(toolCalls.length ? { tool_calls: toolCallsOf(toolCalls) } : {}),
        }),
      ],
      usage: calls.usage,
      ...(calls.notes.length ? { thoughts: calls.notes } : {}),
    };
    if (toolCalls.length) return { ...base, pendingToolCalls: toolCalls, toolNode: "respond" as const };
    return { ...base, answer: text, answerKind: "conversational", pendingToolCalls: [], toolNode: null };
  });
}

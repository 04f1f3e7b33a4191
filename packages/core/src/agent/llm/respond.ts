import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { appContextText } from "../client-tools.js";
import type { RespondInput, RespondOutput } from "../models.js";
import { bindTools, callModel, historyText } from "./call.js";
import { clientCallsOf, clientRoundMessages, clientToolsFor } from "./generate.js";

const SYSTEM = `You are the assistant of a document question-answering app. Reply briefly and friendly to small talk.
You answer questions from the user's workspace documents with citations; do not invent facts about them here.`;

const CLIENT_TOOL_HINT = `The app you are embedded in offers tools of its own: call one when the user asks for something
the app does (it runs in the user's browser and its result comes back to you).`;

/** Conversational replies, streamed; the model may call the client's tools (see `AnswerInput.client`). */
export function llmRespond(model: BaseChatModel, options: { maxClientToolRounds?: number } = {}) {
  return async (input: RespondInput): Promise<RespondOutput> => {
    const client = clientToolsFor(model, input.client, options.maxClientToolRounds ?? 8);
    const result = await callModel(
      model,
      [
        new SystemMessage(client.names.size ? `${SYSTEM}\n${CLIENT_TOOL_HINT}` : SYSTEM),
        new HumanMessage(
          `Conversation so far:\n${historyText(input.history)}\n\nUser: ${input.message}${appContextText(input.client?.context ?? [])}`,
        ),
        ...clientRoundMessages(input.client),
      ],
      {
        role: "respond",
        signal: input.signal,
        ...(input.onDelta ? { onToken: input.onDelta } : {}),
        ...(input.onUsage ? { onUsage: input.onUsage } : {}),
        ...(client.definitions.length ? { bound: bindTools(model, client.definitions) } : {}),
      },
    );
    const toolCalls = clientCallsOf(result.toolCalls, client.names);
    if (toolCalls.length) return { text: result.text, toolCalls };
    // The streamed text as is (what the user saw); a fallback only when the model said nothing.
    return { text: result.text.trim() ? result.text : "Hello! Ask me a question about your documents." };
  };
}

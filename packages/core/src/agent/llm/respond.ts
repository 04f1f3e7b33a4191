import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { AnalyzeInput } from "../models.js";
import { callModel, historyText } from "./call.js";

const SYSTEM = `You are the assistant of a document question-answering app. Reply briefly and friendly to small talk.
You answer questions from the user's workspace documents with citations; do not invent facts about them here.`;

export function llmRespond(model: BaseChatModel) {
  return async (input: AnalyzeInput): Promise<string> => {
    const result = await callModel(
      model,
      [
        new SystemMessage(SYSTEM),
        new HumanMessage(`Conversation so far:\n${historyText(input.history)}\n\nUser: ${input.message}`),
      ],
      { role: "respond", signal: input.signal, ...(input.onUsage ? { onUsage: input.onUsage } : {}) },
    );
    return result.text.trim() || "Hello! Ask me a question about your documents.";
  };
}

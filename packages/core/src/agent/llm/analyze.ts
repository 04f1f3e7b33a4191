import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { AnalyzeInput } from "../models.js";
import { offlineAnalyze } from "../offline.js";
import { type Analysis, intentSchema } from "../state.js";
import { callModel, historyText, parseJsonOutput } from "./call.js";

const SYSTEM = `You classify the latest user message of a conversation with a document question-answering assistant.
Reply with one JSON object and nothing else:
{"intent": "factual" | "analytical" | "conversational" | "data_question" | "chart_request",
 "needs_retrieval": boolean, "entities": string[], "follow_up": boolean}
- factual: asks for a fact from the documents; analytical: asks to compare, explain why, weigh trade-offs;
  conversational: greetings, thanks, questions about the assistant; data_question: asks for numbers computed from
  structured data (counts, totals, averages, trends); chart_request: asks for a chart or plot.
- needs_retrieval: false only when the message can be answered without the documents (small talk).
- entities: the salient names and terms of the message (at most 8, as written).
- follow_up: true when the message only makes sense with the previous turn ("and for monthly plans?").`;

export const llmAnalysisSchema = z.object({
  intent: intentSchema,
  needs_retrieval: z.boolean(),
  entities: z.array(z.string().max(200)).max(20),
  follow_up: z.boolean(),
});

export function llmAnalyze(model: BaseChatModel) {
  return async (input: AnalyzeInput): Promise<Analysis> => {
    const prompt = `Conversation so far:\n${historyText(input.history)}\n\nLatest message:\n${input.message}`;
    const result = await callModel(model, [new SystemMessage(SYSTEM), new HumanMessage(prompt)], {
      role: "analyze",
      signal: input.signal,
      ...(input.onUsage ? { onUsage: input.onUsage } : {}),
    });
    const parsed = parseJsonOutput(result.text, llmAnalysisSchema);
    if (!parsed) {
      input.onNote?.("The analysis model returned invalid output: used the offline analyzer instead.");
      return offlineAnalyze(input);
    }
    return {
      intent: parsed.intent,
      entities: parsed.entities.slice(0, 8),
      // Without an earlier turn nothing can be followed up.
      followUp: parsed.follow_up && input.history.length > 0 && parsed.intent !== "conversational",
      needsRetrieval: parsed.intent === "conversational" ? false : parsed.needs_retrieval,
    };
  };
}

import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { RewriteInput } from "../models.js";
import { offlineRewrite } from "../offline.js";
import type { Rewrite } from "../state.js";
import { contentTerms } from "../text.js";
import { callModel, historyText, parseJsonOutput } from "./call.js";

const SYSTEM = `You prepare a search of a company's documents for the latest user message.
Reply with one JSON object and nothing else:
{"standalone": string, "variations": string[], "hypothetical_answer": string}
- standalone: the question rewritten to be understandable without the conversation (resolve "it", "and for X?").
- variations: up to 3 differently worded search queries for the same need (synonyms, keywords).
- hypothetical_answer: a short plausible answer (2-3 sentences) as the documents might phrase it. It is used only
  to find similar passages, never shown to the user, so write it even if you do not know the facts.`;

export const llmRewriteSchema = z.object({
  standalone: z.string().trim().min(1).max(1000),
  variations: z.array(z.string().trim().min(1).max(1000)).max(6).default([]),
  hypothetical_answer: z.string().max(4000).optional(),
});

export interface LlmRewriteOptions {
  /** Search a hypothetical answer dense-only (HyDE). Default true. */
  hyde?: boolean;
}

const unique = <T>(xs: readonly T[]) => [...new Set(xs)];

export function llmRewrite(model: BaseChatModel, options: LlmRewriteOptions = {}) {
  return async (input: RewriteInput): Promise<Rewrite> => {
    const prompt = `Conversation so far:\n${historyText(input.history)}\n\nLatest message:\n${input.message}`;
    const result = await callModel(model, [new SystemMessage(SYSTEM), new HumanMessage(prompt)], {
      role: "rewrite",
      signal: input.signal,
      ...(input.onUsage ? { onUsage: input.onUsage } : {}),
    });
    const parsed = parseJsonOutput(result.text, llmRewriteSchema);
    if (!parsed) {
      input.onNote?.("The query rewriting model returned invalid output: used the offline rewriter instead.");
      return offlineRewrite(input);
    }
    const focusTerms = unique(contentTerms(input.message));
    const contextTerms = unique(contentTerms(parsed.standalone)).filter((t) => !focusTerms.includes(t));
    const variations = unique([parsed.standalone, ...parsed.variations]).slice(0, 4);
    const hypothetical = parsed.hypothetical_answer?.trim();
    return {
      standalone: parsed.standalone,
      variations,
      // Current-message terms weigh most in reranking; terms the rewrite carried over from context weigh half.
      focusTerms: focusTerms.length ? focusTerms : unique(contentTerms(parsed.standalone)),
      contextTerms,
      ...(options.hyde !== false && hypothetical ? { hypothetical } : {}),
    };
  };
}

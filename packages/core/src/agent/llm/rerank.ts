import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { RerankInput } from "../models.js";
import { compress, offlineRerank, queryWeights, scoreSentences } from "../offline.js";
import type { Passage } from "../state.js";
import { callModel, parseJsonOutput } from "./call.js";

const SYSTEM = `You judge how relevant passages are to a search query.
Reply with one JSON object and nothing else: {"scores": [{"id": number, "score": number}]}
with one entry per passage id and score from 0 (irrelevant) to 10 (answers the query directly).`;

export const llmRerankSchema = z.object({
  scores: z.array(z.object({ id: z.number().int(), score: z.number().min(0).max(10) })).max(200),
});

export interface LlmRerankOptions {
  /** Passages scoring below this (0..1, the model's 0-10 scaled) are dropped. Default 0.4. */
  minScore?: number;
  /** Maximum passages kept. Default 6. */
  maxPassages?: number;
  /** Each passage is cut to this many characters in the prompt. Default 1500. */
  maxPassageChars?: number;
}

/**
 * LLM reranker: one batched call scores every candidate; low scorers are dropped; the survivors keep the
 * offline contextual compression (their query-relevant sentences with document offsets), so extractive
 * fallbacks and citation spans work the same as offline.
 */
export function llmRerank(model: BaseChatModel, options: LlmRerankOptions = {}) {
  const { minScore = 0.4, maxPassages = 6, maxPassageChars = 1500 } = options;
  return async (input: RerankInput): Promise<Passage[]> => {
    if (input.passages.length === 0) return [];
    const list = input.passages
      .map((p, i) => `<passage id="${i + 1}">\n${p.text.slice(0, maxPassageChars)}\n</passage>`)
      .join("\n");
    const prompt = `Query: ${input.rewrite.standalone}\n\n${list}`;
    const result = await callModel(model, [new SystemMessage(SYSTEM), new HumanMessage(prompt)], {
      role: "rerank",
      signal: input.signal,
      ...(input.onUsage ? { onUsage: input.onUsage } : {}),
    });
    const parsed = parseJsonOutput(result.text, llmRerankSchema);
    if (!parsed) {
      input.onNote?.("The reranking model returned invalid output: used the offline reranker instead.");
      return offlineRerank(input);
    }
    const scoreOf = new Map(parsed.scores.map((s) => [s.id, s.score / 10]));
    const stats = scoreSentences(input.passages, queryWeights(input.rewrite));
    return input.passages
      .map((p, i) => ({ passage: p, score: scoreOf.get(i + 1) ?? 0, sentences: compress(stats[i]!) }))
      .filter((s) => s.score >= minScore)
      .sort((a, b) => b.score - a.score || b.passage.fusedScore - a.passage.fusedScore)
      .slice(0, maxPassages)
      .map((s) => ({ ...s.passage, rerankScore: s.score, sentences: s.sentences }));
  };
}

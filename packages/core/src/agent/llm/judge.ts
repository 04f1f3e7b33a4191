import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { JudgeInput } from "../models.js";
import type { ClaimCheck, ValidationResult } from "../state.js";
import { callModel, parseJsonOutput } from "./call.js";

const SYSTEM = `You check whether each numbered sentence of an answer is supported by the passages it cites.
Reply with one JSON object and nothing else:
{"claims": [{"index": number, "verdict": "supported" | "partially_supported" | "unsupported", "reason": string}]}
One entry per sentence. "supported": the cited passages state it; "partially_supported": some of it is not in
them; "unsupported": the cited passages do not say it (or it cites nothing). Keep reasons under 20 words.`;

export const judgeOutputSchema = z.object({
  claims: z
    .array(
      z.object({
        index: z.number().int().min(1),
        verdict: z.enum(["supported", "partially_supported", "unsupported"]),
        reason: z.string().max(1000).optional(),
      }),
    )
    .max(200),
});

/** Lexical failures no judge can overrule: a marker that points nowhere, or a number absent from the source. */
const HARD_FAILURE = /does not refer to a retrieved passage|not in the cited source|no citation/;

export function statusOf(claims: readonly ClaimCheck[]): ValidationResult["status"] {
  const ok = claims.filter((c) => c.supported).length;
  if (claims.length > 0 && ok === claims.length) return "supported";
  return ok === 0 ? "unsupported" : "partially_supported";
}

/**
 * LLM judge on top of the lexical check: a claim is supported when the judge says so and the lexical check
 * found no hard failure (the lexical term-overlap threshold is too strict for paraphrase, so the judge decides
 * there). Invalid judge output keeps the lexical result.
 */
export function llmJudge(model: BaseChatModel) {
  return async (input: JudgeInput): Promise<ValidationResult> => {
    const { lexical } = input;
    if (lexical.claims.length === 0) return lexical;
    const byMarker = new Map(input.citations.map((c) => [c.marker, c]));
    const byChunk = new Map(input.passages.map((p) => [p.chunkId, p]));
    const sources = (markers: readonly number[]) =>
      markers
        .map((m) => {
          const chunk = byMarker.get(m)?.chunkId;
          const passage = chunk ? byChunk.get(chunk) : undefined;
          return passage
            ? `  [${m}] ${passage.text.replace(/\s+/g, " ").slice(0, 1500)}`
            : `  [${m}] (no such passage)`;
        })
        .join("\n");
    const list = lexical.claims
      .map((c, i) => `${i + 1}. ${c.sentence}\n${c.markers.length ? sources(c.markers) : "  (no citation)"}`)
      .join("\n\n");
    const result = await callModel(
      model,
      [new SystemMessage(SYSTEM), new HumanMessage(`Question: ${input.question}\n\nSentences:\n${list}`)],
      { role: "validate", signal: input.signal, ...(input.onUsage ? { onUsage: input.onUsage } : {}) },
    );
    const parsed = parseJsonOutput(result.text, judgeOutputSchema);
    if (!parsed) {
      input.onNote?.("The validation model returned invalid output: kept the lexical check only.");
      return lexical;
    }
    const verdicts = new Map(parsed.claims.map((c) => [c.index, c]));
    const issues: string[] = [];
    const claims = lexical.claims.map((c, i): ClaimCheck => {
      const verdict = verdicts.get(i + 1);
      const hard = c.reason !== undefined && HARD_FAILURE.test(c.reason);
      if (!verdict || hard) {
        if (!c.supported && c.reason) issues.push(`"${c.sentence.slice(0, 60)}": ${c.reason}`);
        return c;
      }
      const supported = verdict.verdict === "supported";
      const reason = supported
        ? undefined
        : `judge: ${verdict.verdict.replace("_", " ")}${verdict.reason ? ` (${verdict.reason})` : ""}`;
      if (reason) issues.push(`"${c.sentence.slice(0, 60)}": ${reason}`);
      return {
        sentence: c.sentence,
        markers: c.markers,
        supported,
        overlap: c.overlap,
        ...(reason ? { reason } : {}),
      };
    });
    return { status: statusOf(claims), claims, issues };
  };
}

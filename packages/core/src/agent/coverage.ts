import type { ClaimCheck } from "./state.js";
import { contentTerms } from "./text.js";

/**
 * The parts of a multi-part question: its sentences ending in "?", and clauses joined by "and"/"also" that
 * start a new question ("What is the leave allowance and how do I carry it over?"). One part for the rest.
 */
export function questionParts(question: string): string[] {
  const sentences = question
    .split(/(?<=\?)\s+|\n+|;\s+/)
    .flatMap((s) =>
      s.split(
        /,?\s+(?:and|also|plus)\s+(?=(?:what|how|when|where|who|which|why|is|are|does|do|can|could|should|will)\b)/i,
      ),
    )
    .map((s) => s.trim())
    .filter((s) => contentTerms(s).length >= 1);
  return sentences.length > 1 ? sentences : [question.trim()];
}

/**
 * The parts of the question no supported claim speaks to: none of the part's own content terms (those the
 * other parts do not share) appears in a supported sentence. Lexical, like the claim check: it catches an
 * answer that silently covers half of a two-part question, not a subtly evasive one.
 */
export function unansweredParts(question: string, claims: readonly ClaimCheck[]): string[] {
  const parts = questionParts(question);
  if (parts.length < 2) return [];
  const termsOf = parts.map((p) => new Set(contentTerms(p)));
  const answered = new Set(claims.filter((c) => c.supported).flatMap((c) => contentTerms(c.sentence)));
  return parts.filter((_part, i) => {
    const own = [...termsOf[i]!].filter((t) => termsOf.every((other, j) => j === i || !other.has(t)));
    return own.length > 0 && !own.some((t) => answered.has(t));
  });
}

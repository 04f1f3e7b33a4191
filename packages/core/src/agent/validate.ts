import { unansweredParts } from "./coverage.js";
import type { Citation, ClaimCheck, Passage, ValidationResult } from "./state.js";
import { contentTerms, splitSentences } from "./text.js";

export interface ValidateInput {
  /** Any answer text, extractive or generated, with "[n]" citation markers. */
  answer: string;
  citations: readonly Citation[];
  /** The passages retrieved for this turn: a citation must point at one of them. */
  passages: readonly Passage[];
  /** The question: when given, a part of a multi-part question no supported sentence answers is an issue. */
  question?: string;
}

export interface ValidateOptions {
  /** Fraction of a claim's content terms that must appear in its cited passages. Default 0.6. */
  minOverlap?: number;
}

const MARKER = /\[(\d{1,3})\]/g;

/** Answer sentences with their trailing markers attached ("… 30 days. [1]" is one claim). */
export function splitClaims(answer: string): Array<{ text: string; markers: number[] }> {
  const out: Array<{ raw: string }> = [];
  for (const s of splitSentences(answer)) {
    // "… 30 days. [1] Next sentence" — markers leading a sentence belong to the previous one.
    const leading = /^(?:\s*\[\d{1,3}\])+/.exec(s.text)?.[0] ?? "";
    const rest = s.text.slice(leading.length).trim();
    if (leading && out.length > 0) out[out.length - 1]!.raw += ` ${leading}`;
    if (rest) out.push({ raw: out.length > 0 ? rest : s.text });
  }
  return out.map(({ raw }) => ({
    text: raw
      .replace(MARKER, "")
      .replace(/\s+([.!?,;:])/g, "$1")
      .replace(/\s+/g, " ")
      .trim(),
    markers: [...raw.matchAll(MARKER)].map((m) => Number(m[1])),
  }));
}

const numbersOf = (text: string) => text.match(/\d+(?:[.,]\d+)*/g) ?? [];

/**
 * Checks an answer against the passages it cites, lexically: every marker must refer to a citation of a
 * retrieved passage; each claim's content terms must mostly appear in its cited passages, and every number
 * in it must appear there verbatim. Lead-in lines ending in ":" and fragments under three content terms are
 * not treated as claims. Cheap and model-free: it catches invented figures, wrong or dangling citations and
 * uncited statements, not subtle paraphrase errors (an LLM judge is a later slice).
 */
export function validateAnswer(input: ValidateInput, options: ValidateOptions = {}): ValidationResult {
  const minOverlap = options.minOverlap ?? 0.6;
  const byMarker = new Map(input.citations.map((c) => [c.marker, c]));
  const byChunk = new Map(input.passages.map((p) => [p.chunkId, p]));
  const issues: string[] = [];
  const claims: ClaimCheck[] = [];
  for (const { text, markers } of splitClaims(input.answer)) {
    if (markers.length === 0 && (/:\s*$/.test(text) || contentTerms(text).length < 3)) continue;
    const check = (supported: boolean, overlap: number, reason?: string) => {
      claims.push({ sentence: text, markers, supported, overlap, ...(reason ? { reason } : {}) });
      if (reason) issues.push(`"${truncate(text)}": ${reason}`);
    };
    if (markers.length === 0) {
      check(false, 0, "no citation");
      continue;
    }
    const sources: string[] = [];
    const bad: number[] = [];
    for (const m of markers) {
      const citation = byMarker.get(m);
      const passage = citation ? byChunk.get(citation.chunkId) : undefined;
      if (!citation || !passage || citation.documentId !== passage.documentId) bad.push(m);
      else sources.push(passage.text);
    }
    if (bad.length > 0) {
      check(false, 0, `marker ${bad.map((m) => `[${m}]`).join(", ")} does not refer to a retrieved passage`);
      continue;
    }
    const source = sources.join("\n");
    const sourceTerms = new Set(contentTerms(source));
    const terms = [...new Set(contentTerms(text))];
    const overlap = terms.length ? terms.filter((t) => sourceTerms.has(t)).length / terms.length : 0;
    const missingNumbers = numbersOf(text).filter((n) => !source.includes(n));
    if (missingNumbers.length > 0)
      check(false, overlap, `number ${missingNumbers.join(", ")} not in the cited source`);
    else if (overlap < minOverlap)
      check(false, overlap, `only ${Math.round(overlap * 100)}% of its terms appear in the cited source`);
    else check(true, overlap);
  }
  const supported = claims.filter((c) => c.supported).length;
  if (claims.length === 0) issues.push("the answer makes no checkable claim");
  // A half-answered multi-part question is at most partly supported, however well the answered half is sourced.
  const unanswered = input.question ? unansweredParts(input.question, claims) : [];
  for (const part of unanswered) issues.push(`"${truncate(part)}": not answered`);
  const status =
    claims.length > 0 && supported === claims.length && unanswered.length === 0
      ? "supported"
      : supported === 0
        ? "unsupported"
        : "partially_supported";
  return { status, claims, issues };
}

function truncate(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

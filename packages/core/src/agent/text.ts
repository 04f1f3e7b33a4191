/**
 * Text utilities for the offline agent models: salient-term extraction and a sentence splitter that keeps
 * exact character offsets. Words, stems and stop words come from the shared text analysis (src/analysis), so
 * the agent's terms are the lexical index's terms.
 */
import { isRequestWord, stem, tokenize } from "../analysis/index.js";

export { stem };

/** A word that names no topic in a chat request (a stop word or a request word such as "please"). */
export function isStopWord(word: string): boolean {
  return isRequestWord(word.toLowerCase());
}

/** Normalised word tokens (letters and digits, any script; see analysis/tokenize.ts). */
export function words(text: string): string[] {
  return tokenize(text);
}

/** Stemmed, stop-word-free terms of a text, in order, with repetitions. */
export function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !isRequestWord(w) && (w.length > 1 || /\d/.test(w)))
    .map(stem);
}

/** Salient terms (surface forms, de-duplicated by stem, in order of appearance). */
export function salientTerms(text: string, max = 8): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of words(text)) {
    if (isRequestWord(w) || (w.length < 3 && !/\d/.test(w))) continue;
    const s = stem(w);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(w);
    if (out.length >= max) break;
  }
  return out;
}

export interface SentenceSpan {
  text: string;
  /** [start, end) offsets into the text that was split. */
  start: number;
  end: number;
}

/**
 * Whether the line break at `index` ends a sentence. PDFs and plain text wrap sentences across lines, so a
 * break is only a boundary at a blank line, before a list item or heading, or after a short line (a title)
 * followed by a capital letter; "per calendar year, plus\npublic holidays" stays one sentence.
 */
function isLineBoundary(text: string, index: number): boolean {
  const next = /^[ \t]*(\n|[-*•#>]|\d+[.)]\s|[A-Z])?/.exec(text.slice(index + 1, index + 8))?.[1];
  if (next === undefined) return false;
  if (!/^[A-Z]$/.test(next)) return true;
  const lineStart = text.lastIndexOf("\n", index - 1) + 1;
  const line = text.slice(lineStart, index).trim();
  return line.length < 60 || /[:;]$/.test(line);
}

/**
 * Splits text into sentences with exact offsets: boundaries after . ! ? (followed by whitespace) and at line
 * breaks that end a sentence (see isLineBoundary). Each span is trimmed, so `text.slice(start, end) ===
 * span.text`. Abbreviations such as "e.g." may split a sentence: acceptable for extractive quoting, since every
 * span is still verbatim source text.
 */
export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  const boundary = /[.!?]+["')\]]*(?=\s)|\n/g;
  let from = 0;
  const push = (start: number, end: number) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(text[s]!)) s++;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    if (e > s) spans.push({ text: text.slice(s, e), start: s, end: e });
  };
  for (let m = boundary.exec(text); m; m = boundary.exec(text)) {
    if (m[0] === "\n" && !isLineBoundary(text, m.index)) continue;
    const end = m.index + m[0].length;
    push(from, end);
    from = end;
  }
  push(from, text.length);
  return spans;
}

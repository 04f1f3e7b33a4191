/**
 * Small, dependency-free text utilities for the offline agent models: tokenising, a light English stemmer,
 * salient-term extraction and a sentence splitter that keeps exact character offsets.
 */

// biome-ignore format: one list, easier to scan
const STOP_WORDS = new Set([
  "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
  "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
  "does", "doing", "down", "during", "each", "else", "few", "for", "from", "further", "had", "has", "have",
  "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
  "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
  "our", "ours", "out", "over", "own", "please", "same", "she", "should", "so", "some", "such", "tell", "than",
  "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to",
  "too", "under", "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while",
  "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "know", "give", "get", "let", "say",
  "there", "much", "many", "may", "might", "must", "shall", "cannot", "ok", "okay", "explain", "describe",
]);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word.toLowerCase());
}

/** Lower-cased word tokens (letters and digits, any script). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
}

/** A deliberately light suffix stemmer: enough to match "plans"/"plan" and "refunded"/"refund". */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, "");
  if (/^\d/.test(w)) return w;
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 4 && /(ss|us|is)$/.test(w)) return w;
  else if (w.length > 3 && w.endsWith("es") && /(sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s")) w = w.slice(0, -1);
  return w;
}

/** Stemmed, stop-word-free terms of a text, in order, with repetitions. */
export function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/.test(w)))
    .map(stem);
}

/** Salient terms (surface forms, de-duplicated by stem, in order of appearance). */
export function salientTerms(text: string, max = 8): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of words(text)) {
    if (STOP_WORDS.has(w) || (w.length < 3 && !/\d/.test(w))) continue;
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

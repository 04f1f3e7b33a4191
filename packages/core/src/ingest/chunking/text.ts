/**
 * Low-level text helpers shared by the chunkers. All offsets are UTF-16 code-unit offsets into a JS string,
 * the same unit as `String.prototype.slice`.
 */

/**
 * True for the code units that `String.prototype.trim()` and the regex class `\s` treat as whitespace.
 * LlamaIndex trims its chunks with `trim()`, so the offset mapper must agree on this set exactly.
 */
export function isWhitespaceCode(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** First index in [from, to) holding a non-whitespace code unit, or `to` if there is none. */
export function skipWhitespace(text: string, from: number, to: number = text.length): number {
  let i = from;
  while (i < to && isWhitespaceCode(text.charCodeAt(i))) i++;
  return i;
}

/** One past the last non-whitespace code unit in [from, to), or `from` if there is none. */
export function trimEndIndex(text: string, from: number, to: number): number {
  let i = to;
  while (i > from && isWhitespaceCode(text.charCodeAt(i - 1))) i--;
  return i;
}

export function hasNonWhitespace(text: string, from = 0, to: number = text.length): boolean {
  return skipWhitespace(text, from, to) < to;
}

/** Start offsets of the words (maximal non-whitespace runs) that begin in (from, to]. */
export function wordStartsIn(text: string, from: number, to: number): number[] {
  const starts: number[] = [];
  for (let i = Math.max(from + 1, 1); i <= to && i < text.length; i++) {
    if (isWhitespaceCode(text.charCodeAt(i - 1)) && !isWhitespaceCode(text.charCodeAt(i))) starts.push(i);
  }
  return starts;
}

/** End offsets (exclusive) of the words that end in [from, to). */
export function wordEndsIn(text: string, from: number, to: number): number[] {
  const ends: number[] = [];
  for (let i = Math.max(from, 1); i < to && i < text.length; i++) {
    if (!isWhitespaceCode(text.charCodeAt(i - 1)) && isWhitespaceCode(text.charCodeAt(i))) ends.push(i);
  }
  return ends;
}

/** Stands in for "$" in the text given to LlamaIndex (see ChunkingEnv.splitterText): one code unit, like "$". */
export const DOLLAR_STAND_IN = "\uFF04";

export function hideDollars(text: string): string {
  return text.includes("$") ? text.replaceAll("$", DOLLAR_STAND_IN) : text;
}

export function restoreDollars(text: string): string {
  return text.includes(DOLLAR_STAND_IN) ? text.replaceAll(DOLLAR_STAND_IN, "$") : text;
}

let graphemeSegmenter: Intl.Segmenter | undefined;
function segmenter(): Intl.Segmenter {
  graphemeSegmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return graphemeSegmenter;
}

/** Grapheme clusters longer than this are not looked for (they only occur in adversarial "zalgo" text). */
const GRAPHEME_WINDOW = 64;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Cheap test for "offset i obviously sits between two grapheme clusters": both neighbours are ASCII
 * (no combining marks, surrogates or joiners). Only the rare other case pays for Intl.Segmenter.
 */
function isTriviallyBoundary(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return true;
  return text.charCodeAt(i - 1) < 0x80 && text.charCodeAt(i) < 0x80;
}

/** The greatest grapheme-cluster boundary ≤ i (so a chunk start never lands inside an emoji or on a combining mark). */
export function graphemeBoundaryAtOrBefore(text: string, i: number): number {
  if (isTriviallyBoundary(text, i)) return Math.max(0, Math.min(i, text.length));
  const from = Math.max(0, i - GRAPHEME_WINDOW);
  const to = Math.min(text.length, i + GRAPHEME_WINDOW);
  let best = from;
  for (const { index } of segmenter().segment(text.slice(from, to))) {
    const boundary = from + index;
    if (boundary > i) break;
    best = boundary;
  }
  // Never move past a boundary we could not see; a high surrogate followed by its pair is the minimum fix.
  if (best === from && from > 0 && isHighSurrogate(text.charCodeAt(i - 1))) return i - 1;
  return best;
}

/** The smallest grapheme-cluster boundary ≥ i. */
export function graphemeBoundaryAtOrAfter(text: string, i: number): number {
  if (isTriviallyBoundary(text, i)) return Math.max(0, Math.min(i, text.length));
  const from = Math.max(0, i - GRAPHEME_WINDOW);
  const to = Math.min(text.length, i + GRAPHEME_WINDOW);
  for (const { index } of segmenter().segment(text.slice(from, to))) {
    const boundary = from + index;
    if (boundary >= i) return boundary;
  }
  return to;
}

/**
 * A whitespace-free view of text[from, to) with a map from each view index back to its original offset.
 * Used to find LlamaIndex output whose whitespace differs from the source.
 */
export interface CompactView {
  readonly text: string;
  /** origin[k] = offset in the source of view character k; strictly increasing. */
  readonly origin: Int32Array;
}

export function buildCompactView(text: string, from: number, to: number): CompactView {
  const origin = new Int32Array(Math.max(0, to - from));
  const parts: string[] = [];
  let length = 0;
  let runStart = -1;
  for (let i = from; i < to; i++) {
    if (isWhitespaceCode(text.charCodeAt(i))) {
      if (runStart >= 0) {
        parts.push(text.slice(runStart, i));
        runStart = -1;
      }
      continue;
    }
    if (runStart < 0) runStart = i;
    origin[length++] = i;
  }
  if (runStart >= 0) parts.push(text.slice(runStart, to));
  return { text: parts.join(""), origin: origin.subarray(0, length) };
}

export function compactString(text: string): string {
  return text.replace(/\s+/g, "");
}

/** Smallest view index whose origin is ≥ offset (view.text.length if none). */
export function compactIndexAtOrAfter(view: CompactView, offset: number): number {
  let lo = 0;
  let hi = view.origin.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (view.origin[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whitespace-free runs longer than this get windows of their own (see planWindow). */
export const LONG_RUN_CHARS = 2048;
const LONG_RUN = new RegExp(`\\S{${LONG_RUN_CHARS + 1},}`);

export interface WindowPlan {
  end: number;
  /** The window ends where a long run starts: a chunk boundary is forced there. */
  beforeLongRun: boolean;
}

/**
 * Chooses the end of the next window of text to hand to LlamaIndex: at most `windowChars` code units,
 * cut by `findCut`. LlamaIndex's sentence tokenizer is quadratic in the number of sentences of a paragraph
 * and, through its e-mail regex, in the length of a whitespace-free run (20,000 letters take seconds), so a
 * run longer than LONG_RUN_CHARS is never shared with other text: the window ends before it, or, when the
 * window starts inside it, covers LONG_RUN_CHARS of it.
 */
export function planWindow(
  text: string,
  cursor: number,
  contentEnd: number,
  windowChars: number,
): WindowPlan {
  const limit = Math.min(contentEnd, cursor + windowChars);
  const run = LONG_RUN.exec(text.slice(cursor, limit));
  if (run !== null) {
    if (run.index > 0) return { end: cursor + run.index, beforeLongRun: true };
    const end = graphemeBoundaryAtOrBefore(text, cursor + LONG_RUN_CHARS);
    return { end: end > cursor ? end : cursor + LONG_RUN_CHARS, beforeLongRun: false };
  }
  if (limit === contentEnd) return { end: contentEnd, beforeLongRun: false };
  return { end: findCut(text, cursor + Math.floor(windowChars / 2), limit), beforeLongRun: false };
}

const CUT_PATTERNS: readonly RegExp[] = [
  /\n[^\S\n]*\n\s*/g, // blank line (also matches "\r\n\r\n": "\r" is whitespace)
  /\n\s*/g, // line break
  /[.!?。！？]["'”’)\]]*\s+/g, // sentence end
  /\s+/g, // any whitespace
];

/**
 * Picks a position in [lo, hi] at which to cut a long text into windows, preferring (in order) a blank
 * line, a line break, a sentence end, any whitespace; the cut lands after the whitespace so the next window
 * starts with content. Without any of them it cuts at hi (on a grapheme boundary).
 */
export function findCut(text: string, lo: number, hi: number): number {
  const slice = text.slice(lo, hi);
  for (const pattern of CUT_PATTERNS) {
    let last = -1;
    for (const match of slice.matchAll(pattern)) last = match.index + match[0].length;
    if (last > 0) return lo + last;
  }
  const cut = graphemeBoundaryAtOrBefore(text, hi);
  return cut > lo ? cut : hi;
}

/**
 * Maps the strings produced by a LlamaIndex splitter back to [start, end) offsets in the source text.
 *
 * LlamaIndex's splitters return bare strings: trimmed, possibly overlapping, and occasionally altered
 * (its secondary sub-sentence regex drops repeated punctuation such as ",,", and its sentence tokenizer
 * re-inserts URLs with `String.replace`, so a URL containing `$'` or `$&` comes back rewritten). The
 * mapper therefore works in tiers, per piece, always searching forward from the previous piece:
 *
 * 1. "exact"      the piece occurs verbatim, starting after the previous piece's start and no later than
 *                 the first non-whitespace character after the previous piece's end (a later start would
 *                 leave a hole). When several occurrences qualify (repetitive text), the choice is the one
 *                 whose overlap with the previous piece fits the overlap budget and is closest to the
 *                 overlap the remaining pieces imply; this never jumps back to an earlier occurrence.
 * 2. "normalized" the same search on a whitespace-free view of the text, mapped back through an index map.
 * 3. "anchored"   the piece's first and last few non-whitespace characters are located separately.
 * 4. "fallback"   a deterministic span starting right after the previous piece, as long as the piece.
 *
 * Afterwards any non-whitespace text not covered by a span is given to the neighbouring span ("repaired"),
 * so no content is ever lost. Spans are returned in order with strictly increasing starts and ends, start
 * and end on non-whitespace and on grapheme-cluster boundaries.
 */
import {
  buildCompactView,
  type CompactView,
  compactIndexAtOrAfter,
  compactString,
  graphemeBoundaryAtOrAfter,
  graphemeBoundaryAtOrBefore,
  hasNonWhitespace,
  isWhitespaceCode,
  skipWhitespace,
  trimEndIndex,
} from "./text.js";
import type { TokenCounter } from "./tokenizer.js";

/** How a chunk's offsets were established; see the module comment. */
export type OffsetMatch = "exact" | "normalized" | "anchored" | "fallback" | "repaired";

const MATCH_RANK: Record<OffsetMatch, number> = {
  exact: 0,
  normalized: 1,
  anchored: 2,
  repaired: 3,
  fallback: 4,
};

/** The less certain of two match kinds (for a chunk assembled from several located pieces). */
export function worseMatch(a: OffsetMatch, b: OffsetMatch): OffsetMatch {
  return MATCH_RANK[b] > MATCH_RANK[a] ? b : a;
}

export interface LocatedSpan {
  start: number;
  end: number;
  match: OffsetMatch;
}

export interface LocateOptions {
  /** The most tokens two consecutive pieces may share (the splitter's chunkOverlap); 0 when pieces tile the text. */
  overlapTokens: number;
  countTokens: TokenCounter;
}

/** Anchor lengths (in non-whitespace characters) tried by the "anchored" tier, longest first. */
const ANCHOR_LENGTHS = [32, 12, 5] as const;

interface PieceContext {
  readonly piece: string;
  readonly prev: LocatedSpan | undefined;
  /** Earliest admissible start (just after the previous start). */
  readonly lo: number;
  /** Latest admissible start: the first non-whitespace offset at or after the previous end. */
  readonly hi: number;
  /** Overlap (in code units) with the previous piece that the remaining pieces imply on average. */
  readonly targetOverlap: number;
}

export function locatePieces(
  text: string,
  pieces: readonly string[],
  regionStart: number,
  regionEnd: number,
  options: LocateOptions,
): LocatedSpan[] {
  const contentStart = skipWhitespace(text, regionStart, regionEnd);
  const contentEnd = trimEndIndex(text, contentStart, regionEnd);
  if (contentStart >= contentEnd) return [];

  const trimmed = pieces.map((piece) => piece.trim()).filter((piece) => piece !== "");
  const remainingLength = new Array<number>(trimmed.length + 1).fill(0);
  for (let i = trimmed.length - 1; i >= 0; i--)
    remainingLength[i] = remainingLength[i + 1]! + trimmed[i]!.length;

  let compact: CompactView | undefined;
  const view = (): CompactView => {
    compact ??= buildCompactView(text, regionStart, regionEnd);
    return compact;
  };

  const spans: LocatedSpan[] = [];
  for (let i = 0; i < trimmed.length; i++) {
    const prev = spans.at(-1);
    const hi = prev ? skipWhitespace(text, prev.end, contentEnd) : contentStart;
    if (hi >= contentEnd) break; // everything is covered; further pieces cannot add content
    const ctx: PieceContext = {
      piece: trimmed[i]!,
      prev,
      lo: prev ? prev.start + 1 : contentStart,
      hi,
      targetOverlap: Math.max(0, (remainingLength[i]! - (contentEnd - hi)) / (trimmed.length - i)),
    };
    const located =
      findExact(text, regionEnd, ctx, options) ??
      findNormalized(text, view(), ctx, options) ??
      findAnchored(text, view(), ctx, options) ??
      fallbackSpan(text, contentEnd, ctx);
    spans.push(snapToGraphemes(text, located, ctx, regionEnd));
  }
  return repairCoverage(text, spans, contentStart, contentEnd);
}

/**
 * Among ascending candidate starts, picks the one to use. The overlap with the previous piece must fit the
 * overlap budget (checked with a binary search: later starts overlap less); among those that fit, the
 * one closest to the implied overlap wins. Without a previous piece the earliest candidate wins.
 */
function choose(
  text: string,
  starts: readonly number[],
  ctx: PieceContext,
  options: LocateOptions,
): number | undefined {
  if (starts.length <= 1 || ctx.prev === undefined) return starts[0];
  const prevEnd = ctx.prev.end;
  const overlapFits = (start: number): boolean =>
    start >= prevEnd || options.countTokens(text.slice(start, prevEnd)) <= options.overlapTokens;
  let lo = 0;
  let hi = starts.length - 1; // the last candidate (least overlap) is used when none fits
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (overlapFits(starts[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  let best = lo;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let k = lo; k < starts.length; k++) {
    const distance = Math.abs(Math.max(0, prevEnd - starts[k]!) - ctx.targetOverlap);
    if (distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  return starts[best];
}

function findExact(
  text: string,
  regionEnd: number,
  ctx: PieceContext,
  options: LocateOptions,
): LocatedSpan | undefined {
  const { piece, prev, lo, hi } = ctx;
  const searchEnd = Math.min(regionEnd, hi + piece.length);
  if (searchEnd - lo < piece.length) return undefined;
  const haystack = text.slice(lo, searchEnd);
  const starts: number[] = [];
  for (let at = haystack.indexOf(piece); at !== -1; at = haystack.indexOf(piece, at + 1)) {
    const start = lo + at;
    if (prev === undefined || start + piece.length > prev.end) starts.push(start);
  }
  const start = choose(text, starts, ctx, options);
  return start === undefined ? undefined : { start, end: start + piece.length, match: "exact" };
}

function findNormalized(
  text: string,
  view: CompactView,
  ctx: PieceContext,
  options: LocateOptions,
): LocatedSpan | undefined {
  const needle = compactString(ctx.piece);
  if (needle === "") return undefined;
  const ends = new Map<number, number>();
  const starts: number[] = [];
  const cLo = compactIndexAtOrAfter(view, ctx.lo);
  const cHi = compactIndexAtOrAfter(view, ctx.hi);
  for (let c = view.text.indexOf(needle, cLo); c !== -1 && c <= cHi; c = view.text.indexOf(needle, c + 1)) {
    const start = view.origin[c]!;
    const end = view.origin[c + needle.length - 1]! + 1;
    if (ctx.prev === undefined || end > ctx.prev.end) {
      starts.push(start);
      ends.set(start, end);
    }
  }
  const start = choose(text, starts, ctx, options);
  return start === undefined ? undefined : { start, end: ends.get(start)!, match: "normalized" };
}

function occurrences(haystack: string, needle: string, from: number, to: number): number[] {
  const found: number[] = [];
  for (
    let at = haystack.indexOf(needle, from);
    at !== -1 && at <= to;
    at = haystack.indexOf(needle, at + 1)
  ) {
    found.push(at);
  }
  return found;
}

function findAnchored(
  text: string,
  view: CompactView,
  ctx: PieceContext,
  options: LocateOptions,
): LocatedSpan | undefined {
  const needle = compactString(ctx.piece);
  if (needle === "") return undefined;
  const cLo = compactIndexAtOrAfter(view, ctx.lo);
  const cHi = compactIndexAtOrAfter(view, ctx.hi);

  let headC: number | undefined;
  for (const length of ANCHOR_LENGTHS) {
    if (length > needle.length && length !== ANCHOR_LENGTHS[0]) continue;
    const head = needle.slice(0, length);
    const found = occurrences(view.text, head, cLo, cHi);
    const start = choose(
      text,
      found.map((c) => view.origin[c]!),
      ctx,
      options,
    );
    if (start !== undefined) {
      headC = compactIndexAtOrAfter(view, start);
      break;
    }
  }

  const startC = headC ?? cHi;
  if (startC >= view.text.length) return undefined;
  const expectedEndC = startC + needle.length;
  const minEndC = ctx.prev === undefined ? startC + 1 : compactIndexAtOrAfter(view, ctx.prev.end) + 1;
  let tailEndC: number | undefined;
  for (const length of ANCHOR_LENGTHS) {
    if (length > needle.length && length !== ANCHOR_LENGTHS[0]) continue;
    const tail = needle.slice(-length);
    const searchTo = Math.min(view.text.length, startC + 2 * needle.length + 64);
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const c of occurrences(view.text, tail, startC, searchTo - tail.length)) {
      const endC = c + tail.length;
      if (endC < minEndC || endC <= startC) continue;
      const distance = Math.abs(endC - expectedEndC);
      if (distance < bestDistance) {
        tailEndC = endC;
        bestDistance = distance;
      }
    }
    if (tailEndC !== undefined) break;
  }

  if (headC === undefined && tailEndC === undefined) return undefined;
  const endC = tailEndC ?? Math.max(minEndC, Math.min(expectedEndC, view.text.length));
  if (endC > view.text.length || endC <= startC) return undefined;
  const start = view.origin[startC]!;
  const end = view.origin[endC - 1]! + 1;
  if (ctx.prev !== undefined && (start <= ctx.prev.start || end <= ctx.prev.end)) return undefined;
  return { start, end, match: "anchored" };
}

/** The piece could not be found at all: take as much text as the piece is long, right after the previous span. */
function fallbackSpan(text: string, contentEnd: number, ctx: PieceContext): LocatedSpan {
  const start = ctx.hi; // < contentEnd, checked by the caller; a non-whitespace offset
  const end = trimEndIndex(text, start, Math.min(contentEnd, start + Math.max(1, ctx.piece.length)));
  return { start, end: Math.max(end, start + 1), match: "fallback" };
}

/** Widens a span so it neither starts nor ends inside a grapheme cluster (surrogate pair, combining marks, ZWJ emoji). */
function snapToGraphemes(text: string, span: LocatedSpan, ctx: PieceContext, regionEnd: number): LocatedSpan {
  let start = graphemeBoundaryAtOrBefore(text, span.start);
  if (start < ctx.lo || isWhitespaceCode(text.charCodeAt(start))) start = span.start;
  let end = graphemeBoundaryAtOrAfter(text, span.end);
  if (end > regionEnd) end = span.end;
  return start === span.start && end === span.end ? span : { start, end, match: span.match };
}

function repairCoverage(
  text: string,
  spans: LocatedSpan[],
  contentStart: number,
  contentEnd: number,
): LocatedSpan[] {
  if (spans.length === 0) return [{ start: contentStart, end: contentEnd, match: "fallback" }];
  const first = spans[0]!;
  if (first.start > contentStart) spans[0] = { ...first, start: contentStart, match: "repaired" };
  for (let i = 1; i < spans.length; i++) {
    const prevEnd = spans[i - 1]!.end;
    const span = spans[i]!;
    if (span.start > prevEnd && hasNonWhitespace(text, prevEnd, span.start)) {
      spans[i] = { ...span, start: skipWhitespace(text, prevEnd, span.start), match: "repaired" };
    }
  }
  const last = spans.at(-1)!;
  if (last.end < contentEnd && hasNonWhitespace(text, last.end, contentEnd)) {
    spans[spans.length - 1] = { ...last, end: contentEnd, match: "repaired" };
  }
  return spans;
}

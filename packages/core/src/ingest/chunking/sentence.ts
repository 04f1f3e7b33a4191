/**
 * The "sentence" strategy: LlamaIndex's `SentenceSplitter` (token-sized chunks, recursive separators
 * paragraph → sentence → sub-sentence → word → character, greedy merge with token overlap), with the
 * resulting strings mapped back to exact source offsets, plus two things LlamaIndex does not do:
 *
 * - windowing: a long text is split in windows of `env.windowChars` cut at paragraph/line/sentence
 *   boundaries (`planWindow`); the last chunk of every window is discarded and the next window starts at
 *   that chunk's start, so chunk boundaries are the ones a single pass would produce, without the
 *   quadratic cost of LlamaIndex's sentence tokenizer on a huge paragraph. Whitespace-free runs longer
 *   than LONG_RUN_CHARS are split on their own (a chunk boundary is forced where one starts);
 * - hard limits: `SentenceSplitter` sizes chunks by the sum of its splits' token counts, and a new chunk
 *   receives the overlap before the first split unconditionally, so a chunk's real token count can exceed
 *   `chunkSize` (by up to the overlap) and an overlap its budget. `enforceLimits` trims such overlaps and
 *   re-splits what is still too long, so every chunk has at most `chunkSize` tokens.
 */
import type { ChunkingEnv, ChunkSpan } from "./env.js";
import { throwIfAborted, yieldToEventLoop } from "./env.js";
import { type LocatedSpan, locatePieces } from "./locate.js";
import {
  graphemeBoundaryAtOrAfter,
  graphemeBoundaryAtOrBefore,
  planWindow,
  skipWhitespace,
  trimEndIndex,
  wordEndsIn,
  wordStartsIn,
} from "./text.js";
import { MAX_RUN } from "./tokenizer.js";

export interface SplitRegionOptions {
  /** Token size handed to SentenceSplitter (≤ env.chunkSize; smaller when re-splitting an oversized chunk). */
  splitSize: number;
  /** Token overlap handed to SentenceSplitter; 0 for non-overlapping output. */
  overlap: number;
  /** Re-split depth; at MAX_RESPLIT_DEPTH oversized spans are cut by `hardSplit`. */
  depth?: number;
}

const MAX_RESPLIT_DEPTH = 2;

/** Splits text[start, end) into chunks of at most env.chunkSize tokens with exact offsets. */
export async function splitRegion(
  env: ChunkingEnv,
  start: number,
  end: number,
  options: SplitRegionOptions,
): Promise<ChunkSpan[]> {
  const { text } = env;
  const splitter = new env.splitter.SentenceSplitter({
    chunkSize: options.splitSize,
    chunkOverlap: options.overlap,
    paragraphSeparator: env.paragraphSeparator,
    extraAbbreviations: [...env.extraAbbreviations],
    tokenSizer: env.countSplitterTokens,
  });
  const locateOptions = { overlapTokens: options.overlap, countTokens: env.countSplitterTokens };

  const contentEnd = trimEndIndex(text, start, end);
  const spans: LocatedSpan[] = [];
  let cursor = skipWhitespace(text, start, contentEnd);
  while (cursor < contentEnd) {
    throwIfAborted(env.signal);
    const { end: windowEnd, beforeLongRun } = planWindow(text, cursor, contentEnd, env.windowChars);
    const pieces = splitter.splitText(env.splitterText.slice(cursor, windowEnd));
    const located = locatePieces(env.splitterText, pieces, cursor, windowEnd, locateOptions);
    const last = located.at(-1);
    if (windowEnd >= contentEnd || beforeLongRun || located.length < 2 || last === undefined) {
      spans.push(...located);
      cursor = skipWhitespace(text, windowEnd, contentEnd);
    } else {
      // The window's last chunk may have been cut short by the window end: redo it in the next window.
      located.pop();
      spans.push(...located);
      cursor = last.start;
      await yieldToEventLoop();
    }
  }
  return enforceLimits(env, spans, { maxOverlap: options.overlap, depth: options.depth ?? 0 });
}

interface EnforceOptions {
  maxOverlap: number;
  depth: number;
}

/** Excess (as a fraction of chunkSize) that is fixed by moving words to the next chunk rather than re-splitting. */
const SMALL_EXCESS = 0.1;

/**
 * Makes every span satisfy: tokens ≤ env.chunkSize and tokens(overlap with the previous span) ≤ maxOverlap,
 * keeping order and full coverage. Spans are processed left to right; each fix only moves a start forward
 * within the overlap, moves an end back onto a word end that the next span then covers, or re-splits.
 */
export async function enforceLimits(
  env: ChunkingEnv,
  input: readonly LocatedSpan[],
  options: EnforceOptions,
): Promise<ChunkSpan[]> {
  const { text, countTokens } = env;
  const limit = env.chunkSize;
  const spans = input.map((span) => ({ ...span }));
  const out: ChunkSpan[] = [];
  const tokensOf = (start: number, end: number): number => countTokens(text.slice(start, end));

  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const prev = out.at(-1);
    if (prev !== undefined && span.end <= prev.end) continue; // swallowed by a re-split predecessor
    if (prev !== undefined && span.start <= prev.start) span.start = skipWhitespace(text, prev.end, span.end);

    // 1. Overlap budget, then 2. size, both by starting later inside the overlap.
    if (prev !== undefined && span.start < prev.end) {
      const fits = (start: number): boolean =>
        start >= prev.end ||
        (tokensOf(start, prev.end) <= options.maxOverlap && tokensOf(start, span.end) <= limit);
      if (!fits(span.start)) {
        const noOverlap = skipWhitespace(text, prev.end, span.end);
        const starts = wordStartsIn(text, span.start, noOverlap).filter((s) => s < noOverlap);
        starts.push(noOverlap);
        span.start = starts[firstTrue(starts, fits) ?? starts.length - 1]!;
      }
    }

    let tokens = tokensOf(span.start, span.end);
    const next = spans[i + 1];
    // 3. Slightly too long and followed by another span: end at an earlier word end; the next span starts there.
    if (tokens > limit && next !== undefined && tokens <= limit * (1 + SMALL_EXCESS)) {
      const minEnd = prev === undefined ? span.start + 1 : prev.end + 1;
      const ends = wordEndsIn(text, Math.max(span.start + 1, minEnd), span.end);
      const k = lastTrue(ends, (end) => tokensOf(span.start, end) <= limit);
      if (k !== undefined) {
        span.end = ends[k]!;
        next.start = Math.min(next.start, skipWhitespace(text, span.end, next.end));
        tokens = tokensOf(span.start, span.end);
      }
    }

    // 4. Still too long: split this span on its own, without overlap.
    if (tokens > limit) {
      const parts =
        options.depth < MAX_RESPLIT_DEPTH
          ? await splitRegion(env, span.start, span.end, {
              splitSize: Math.max(1, Math.floor(limit * (options.depth === 0 ? 0.9 : 0.6))),
              overlap: 0,
              depth: options.depth + 1,
            })
          : hardSplit(env, span.start, span.end);
      for (const part of parts)
        out.push({ ...part, match: part.match === "exact" ? span.match : part.match });
      continue;
    }
    out.push({ ...span, tokenCount: tokens });
  }
  return out;
}

/**
 * Last resort: greedy packing at word ends, or grapheme boundaries inside a word that is too long by
 * itself. Only a single grapheme cluster with more than chunkSize tokens can exceed the limit.
 */
export function hardSplit(env: ChunkingEnv, start: number, end: number): ChunkSpan[] {
  const { text, countTokens } = env;
  const limit = env.chunkSize;
  const contentEnd = trimEndIndex(text, start, end);
  const out: ChunkSpan[] = [];
  let s = skipWhitespace(text, start, contentEnd);
  while (s < contentEnd) {
    const tokensTo = (e: number): number => countTokens(text.slice(s, e));
    // With the safe tokenizer a token rarely covers more than MAX_RUN code points: this bounds the scan.
    const scanEnd = Math.min(contentEnd, s + limit * MAX_RUN + 1);
    if (scanEnd === contentEnd) {
      const wholeTokens = tokensTo(contentEnd);
      if (wholeTokens <= limit) {
        out.push({ start: s, end: contentEnd, match: "exact", tokenCount: wholeTokens });
        break;
      }
    }
    const ends = wordEndsIn(text, s + 1, scanEnd);
    const k = lastTrue(ends, (e) => tokensTo(e) <= limit);
    let e: number;
    if (k !== undefined) {
      e = ends[k]!;
    } else {
      const wordEnd = ends[0] ?? scanEnd;
      const positions: number[] = [];
      for (let p = s + 1; p <= wordEnd; p++) positions.push(p);
      const j = lastTrue(positions, (p) => tokensTo(p) <= limit);
      e = j === undefined ? s + 1 : positions[j]!;
      const snapped = graphemeBoundaryAtOrBefore(text, e);
      e = snapped > s ? snapped : graphemeBoundaryAtOrAfter(text, s + 1);
    }
    out.push({ start: s, end: e, match: "exact", tokenCount: tokensTo(e) });
    s = skipWhitespace(text, e, contentEnd);
  }
  return out;
}

/** Index of the first element for which the (monotone false…true) predicate holds. */
function firstTrue<T>(items: readonly T[], predicate: (item: T) => boolean): number | undefined {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (predicate(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo < items.length ? lo : undefined;
}

/** Index of the last element for which the (monotone true…false) predicate holds. */
function lastTrue<T>(items: readonly T[], predicate: (item: T) => boolean): number | undefined {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (predicate(items[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? lo - 1 : undefined;
}

/**
 * The "semantic" strategy, after LlamaIndex Python's `SemanticSplitterNodeParser` (LlamaIndex.TS has no
 * semantic splitter): split into sentences with LlamaIndex's sentence tokenizer, embed every sentence
 * together with `bufferSize` neighbours on each side, and start a new chunk after sentence i when the cosine
 * distance between the embeddings of i and i + 1 is above the `breakpointPercentileThreshold` percentile of
 * all adjacent distances. Unlike the Python parser, a group longer than chunkSize tokens is sentence-split
 * (LlamaIndex `SentenceSplitter`, no overlap), so no chunk exceeds chunkSize. Chunks never overlap.
 */
import type { Embedder } from "../../embeddings/types.js";
import { DimensionMismatchError, RagKitError } from "../../errors/index.js";
import type { ChunkingEnv, ChunkSpan } from "./env.js";
import { throwIfAborted, yieldToEventLoop } from "./env.js";
import { type LocatedSpan, locatePieces, type OffsetMatch, worseMatch } from "./locate.js";
import { splitRegion } from "./sentence.js";
import { planWindow, skipWhitespace, trimEndIndex } from "./text.js";

export interface SemanticSettings {
  embedder: Embedder;
  bufferSize: number;
  breakpointPercentileThreshold: number;
  embedBatchSize: number;
}

export async function chunkSemantic(env: ChunkingEnv, settings: SemanticSettings): Promise<ChunkSpan[]> {
  const { text } = env;
  const sentences = await splitSentences(env);
  if (sentences.length === 0) return [];

  const last = sentences.length - 1;
  const windows = sentences.map((_, i) =>
    text.slice(
      sentences[Math.max(0, i - settings.bufferSize)]!.start,
      sentences[Math.min(last, i + settings.bufferSize)]!.end,
    ),
  );
  const embeddings = await embedInBatches(windows, settings, env.signal);
  const distances: number[] = [];
  for (let i = 0; i < last; i++) distances.push(1 - cosineSimilarity(embeddings[i]!, embeddings[i + 1]!));
  const breaks = semanticBreakpoints(distances, settings.breakpointPercentileThreshold);

  const spans: ChunkSpan[] = [];
  let groupStart = 0;
  for (const groupEnd of [...breaks, last]) {
    const start = sentences[groupStart]!.start;
    const end = sentences[groupEnd]!.end;
    const tokenCount = env.countTokens(text.slice(start, end));
    if (tokenCount <= env.chunkSize) {
      const match = sentences
        .slice(groupStart, groupEnd + 1)
        .reduce((worst, s) => worseMatch(worst, s.match), "exact" as OffsetMatch);
      spans.push({ start, end, match, tokenCount });
    } else {
      spans.push(...(await splitRegion(env, start, end, { splitSize: env.chunkSize, overlap: 0 })));
    }
    groupStart = groupEnd + 1;
  }
  return spans;
}

/** Indices i after which a new chunk starts: distances[i] strictly above the given percentile (as in LlamaIndex). */
export function semanticBreakpoints(distances: readonly number[], percentileThreshold: number): number[] {
  if (distances.length === 0) return [];
  const threshold = percentile(distances, percentileThreshold);
  const breaks: number[] = [];
  distances.forEach((distance, i) => {
    if (distance > threshold) breaks.push(i);
  });
  return breaks;
}

/** Percentile with linear interpolation between closest ranks (numpy's default, which LlamaIndex uses). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower] ?? Number.NaN;
  const high = sorted[upper] ?? low;
  return low + (high - low) * (rank - lower);
}

/** Cosine similarity; 0 when either vector is all zeros (an embedder's answer for text it cannot represent). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/**
 * Sentences with exact offsets: LlamaIndex's paragraph split (`paragraphSeparator`) then its sentence
 * tokenizer — the first two separators of `SentenceSplitter` — applied per window of the text because the
 * tokenizer is quadratic in the number of sentences it is given.
 */
async function splitSentences(env: ChunkingEnv): Promise<LocatedSpan[]> {
  const { text } = env;
  const byParagraph = env.splitter.splitBySep(env.paragraphSeparator);
  const bySentence = env.splitter.splitBySentenceTokenizer([...env.extraAbbreviations]);
  const locateOptions = { overlapTokens: 0, countTokens: env.countSplitterTokens };
  const sentences: LocatedSpan[] = [];
  const contentEnd = trimEndIndex(text, 0, text.length);
  let cursor = skipWhitespace(text, 0, contentEnd);
  while (cursor < contentEnd) {
    throwIfAborted(env.signal);
    const windowEnd = planWindow(text, cursor, contentEnd, env.windowChars).end;
    const pieces = byParagraph(env.splitterText.slice(cursor, windowEnd)).flatMap((p) => bySentence(p));
    for (const sentence of locatePieces(env.splitterText, pieces, cursor, windowEnd, locateOptions)) {
      // Sentences tile the text; keep them disjoint even if a piece was located inside its predecessor.
      const prev = sentences.at(-1);
      const start =
        prev === undefined ? sentence.start : Math.max(sentence.start, skipWhitespace(text, prev.end));
      if (start < sentence.end) sentences.push({ ...sentence, start });
    }
    cursor = skipWhitespace(text, windowEnd, contentEnd);
    if (cursor < contentEnd) await yieldToEventLoop();
  }
  return sentences;
}

async function embedInBatches(
  texts: readonly string[],
  settings: SemanticSettings,
  signal: AbortSignal | undefined,
): Promise<number[][]> {
  const { embedder } = settings;
  const vectors: number[][] = [];
  for (let i = 0; i < texts.length; i += settings.embedBatchSize) {
    throwIfAborted(signal);
    const batch = texts.slice(i, i + settings.embedBatchSize);
    const result = await embedder.embed(
      batch,
      signal === undefined ? { kind: "document" } : { kind: "document", signal },
    );
    throwIfAborted(signal);
    if (!Array.isArray(result) || result.length !== batch.length) {
      throw new RagKitError(
        "provider_error",
        `Embedder "${embedder.name}" returned ${Array.isArray(result) ? result.length : "no"} vectors for ${batch.length} texts.`,
      );
    }
    for (const vector of result) {
      if (!Array.isArray(vector) || vector.length !== embedder.dimension) {
        throw new DimensionMismatchError(
          `Embedder "${embedder.name}" returned a vector of length ${Array.isArray(vector) ? vector.length : "?"}; expected ${embedder.dimension}.`,
        );
      }
      vectors.push(vector);
    }
  }
  return vectors;
}

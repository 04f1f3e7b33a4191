import { Tiktoken } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import { expect } from "vitest";
import type { Embedder, EmbedOptions } from "../../src/embeddings/types.js";
import { createChunkTokenizer } from "../../src/ingest/chunking/tokenizer.js";
import type { ChunkDraft, LoadedDocument } from "../../src/ingest/types.js";

export function makeDoc(text: string, overrides: Partial<LoadedDocument> = {}): LoadedDocument {
  return {
    kind: "text",
    mimeType: "text/plain",
    text,
    title: null,
    pages: [],
    sections: [],
    metadata: {},
    ...overrides,
  };
}

const cl100kEncoding = new Tiktoken(cl100k);

/** js-tiktoken's cl100k_base, built here independently of the code under test (LlamaIndex's default too). */
export const cl100kTokenizer = {
  encode: (text: string) => Uint32Array.from(cl100kEncoding.encode(text)),
  decode: (tokens: Uint32Array) => cl100kEncoding.decode(Array.from(tokens)),
};

/** The tokenizer chunkDocument uses by default (cl100k_base, made safe). */
export const defaultTokenizer = createChunkTokenizer(cl100kTokenizer);
export const countTokens = (text: string): number => defaultTokenizer.encode(text).length;

export interface InvariantLimits {
  chunkSize: number;
  chunkOverlap: number;
  count?: (text: string) => number;
}

/**
 * The contract of chunkDocument, checked exhaustively: exact slices, order, full coverage of
 * non-whitespace, trimmed chunks, token counts, size and overlap limits, no split grapheme clusters.
 */
export function expectChunkInvariants(
  doc: LoadedDocument,
  chunks: readonly ChunkDraft[],
  limits: InvariantLimits,
) {
  const count = limits.count ?? countTokens;
  const text = doc.text;
  let covered = 0; // every non-whitespace offset < covered is inside some chunk
  chunks.forEach((chunk, i) => {
    const where = `chunk ${i} [${chunk.start}, ${chunk.end})`;
    expect(chunk.index, where).toBe(i);
    expect(text.slice(chunk.start, chunk.end), where).toBe(chunk.text);
    expect(chunk.start, where).toBeLessThan(chunk.end);
    expect(chunk.text.trim(), where).toBe(chunk.text);
    expect(
      isGraphemeBoundary(text, chunk.start) && isGraphemeBoundary(text, chunk.end),
      `${where} splits a grapheme`,
    ).toBe(true);
    expect(chunk.tokenCount, where).toBe(count(chunk.text));
    expect(chunk.tokenCount, where).toBeLessThanOrEqual(limits.chunkSize);
    if (i > 0) {
      const prev = chunks[i - 1]!;
      expect(chunk.start, where).toBeGreaterThan(prev.start);
      expect(chunk.end, where).toBeGreaterThan(prev.end);
      if (chunk.start < prev.end) {
        expect(count(text.slice(chunk.start, prev.end)), `${where} overlap`).toBeLessThanOrEqual(
          limits.chunkOverlap,
        );
      }
    }
    const gap = text.slice(covered, Math.max(covered, chunk.start));
    expect(gap.trim(), `${where}: uncovered text before it`).toBe("");
    covered = Math.max(covered, chunk.end);
  });
  expect(text.slice(covered).trim(), "uncovered text at the end").toBe("");
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Whether offset i lies between two grapheme clusters. Segments a small window only: ICU's segmenter is
 * quadratic on long strings (a 290 KB text takes minutes).
 */
export function isGraphemeBoundary(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return true;
  const from = Math.max(0, i - 32);
  for (const { index } of graphemes.segment(text.slice(from, i + 32))) {
    if (from + index === i) return true;
    if (from + index > i) return false;
  }
  return false;
}

/** Deterministic pseudo-random generator (Park–Miller), so generated texts are stable across runs. */
export function rng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

const VOCABULARY =
  "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no will more can out up what about into than them only other time new some could these two may first then do any like my now over such our man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three".split(
    " ",
  );

/** Prose-like text: sentences of 5–24 words, paragraphs of 2–7 sentences separated by blank lines. */
export function prose(words: number, seed = 1): string {
  const random = rng(seed);
  const paragraphs: string[] = [];
  let sentences: string[] = [];
  let sentence: string[] = [];
  let sentenceLength = 5 + Math.floor(random() * 20);
  let paragraphLength = 2 + Math.floor(random() * 6);
  for (let i = 0; i < words; i++) {
    sentence.push(VOCABULARY[Math.floor(random() * VOCABULARY.length)]!);
    if (sentence.length >= sentenceLength || i === words - 1) {
      const joined = sentence.join(" ");
      sentences.push(`${joined[0]!.toUpperCase()}${joined.slice(1)}.`);
      sentence = [];
      sentenceLength = 5 + Math.floor(random() * 20);
      if (sentences.length >= paragraphLength || i === words - 1) {
        paragraphs.push(sentences.join(" "));
        sentences = [];
        paragraphLength = 2 + Math.floor(random() * 6);
      }
    }
  }
  return paragraphs.join("\n\n");
}

const STOP_WORDS = new Set(
  "the and with before while until their they them than into from each every although some can cannot this that".split(
    " ",
  ),
);

/**
 * A real (if crude) embedder for tests, in the spirit of fastText: feature hashing of lower-cased,
 * suffix-stripped words plus their character 4-grams into `dimension` buckets, L2-normalised. Texts that
 * share vocabulary get a high cosine similarity, unrelated texts a low one. Records every call.
 */
export class HashingEmbedder implements Embedder {
  readonly name = "test-hashing-bow";
  readonly calls: string[][] = [];
  constructor(readonly dimension = 256) {}

  async embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]> {
    options?.signal?.throwIfAborted();
    this.calls.push([...texts]);
    return texts.map((text) => {
      const vector = new Array<number>(this.dimension).fill(0);
      for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
        if (word.length < 3 || STOP_WORDS.has(word)) continue;
        const stem = word.replace(/(ies|es|s|ing|ed)$/u, "");
        vector[fnv1a(stem) % this.dimension]! += 1;
        const padded = `<${stem}>`;
        for (let i = 0; i + 4 <= padded.length; i++)
          vector[fnv1a(padded.slice(i, i + 4)) % this.dimension]! += 0.25;
      }
      const norm = Math.hypot(...vector);
      return norm === 0 ? vector : vector.map((x) => x / norm);
    });
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Fragments the fuzz documents are built from: each one has tripped a splitter or an offset mapper. */
export const FRAGMENTS = [
  "word",
  "Sentence ends here.",
  "Why?",
  "Wow!",
  "e.g.",
  "Dr.",
  "3.14",
  "1,000.5",
  "https://example.com/x$'y?q=$&",
  "a,,b",
  ";;",
  "...",
  "—",
  "😀",
  "👨‍👩‍👧",
  "e\u0301",
  "漢字かな。",
  "<|endoftext|>",
  "{{DELIM_0}}",
  "# Heading",
  "## Sub heading",
  "```",
  "- item",
  "| a | b |",
  "\t",
  "  ",
  "\n",
  "\r\n",
  "\n\n",
  "\n\n\n",
  "\u00a0",
  "$1",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/** A random document of hostile fragments (abbreviations, URLs with "$", CJK, emoji, markdown, CRLF, …). */
export function randomText(random: () => number): string {
  const parts: string[] = [];
  const length = 20 + Math.floor(random() * 400);
  for (let i = 0; i < length; i++) {
    const fragment = FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]!;
    parts.push(fragment);
    if (random() < 0.7) parts.push(" ");
    if (random() < 0.05) parts.push(parts.slice(-Math.floor(random() * 20)).join("")); // repeats
  }
  return parts.join("");
}

import { z } from "zod";
import type { Embedder } from "../../embeddings/types.js";
import { validationErrorFromZod } from "../../errors/index.js";
import type { DocumentKind } from "../types.js";
import { type ChunkTokenizer, isChunkTokenizer } from "./tokenizer.js";

export type ChunkStrategy = "sentence" | "markdown" | "semantic";

export const CHUNKING_DEFAULTS = {
  chunkSize: 512,
  /** Used when chunkOverlap is not given; capped at a quarter of chunkSize for small chunk sizes. */
  chunkOverlap: 50,
  minChunkSize: 32,
  maxChunkSize: 8192,
  /** LlamaIndex's default: paragraphs are separated by two blank lines. */
  paragraphSeparator: "\n\n\n",
  bufferSize: 1,
  breakpointPercentileThreshold: 95,
  embedBatchSize: 64,
} as const;

export interface ChunkOptions {
  /**
   * "sentence" (LlamaIndex's SentenceSplitter algorithm), "markdown" (heading sections, long ones sentence-split) or
   * "semantic" (embedding-based boundaries; needs `embedder`). Default: "semantic" when an embedder is
   * given, else "markdown" for markdown documents, else "sentence".
   */
  strategy?: ChunkStrategy;
  /** Maximum tokens per chunk, 32..8192. Default 512. */
  chunkSize?: number;
  /** Tokens shared by consecutive chunks, < chunkSize. Default min(50, ⌊chunkSize / 4⌋). Not used by "semantic". */
  chunkOverlap?: number;
  /** LlamaIndex's paragraph separator (first level of its recursive split). Default "\n\n\n". */
  paragraphSeparator?: string;
  /** Extra abbreviations that do not end a sentence, e.g. ["LLC."]. */
  extraAbbreviations?: string[];
  /** Tokenizer for sizes and tokenCount (`{ encode, decode }`, LlamaIndex's `Tokenizer` shape). Default: cl100k_base. */
  tokenizer?: ChunkTokenizer;
  /** Embedder for the "semantic" strategy. */
  embedder?: Embedder;
  /** Semantic: neighbouring sentences embedded with each sentence on each side, 0..10. Default 1. */
  bufferSize?: number;
  /** Semantic: a boundary is placed where the distance is above this percentile of all distances. Default 95. */
  breakpointPercentileThreshold?: number;
  /** Semantic: texts per `embed` call, 1..2048. Default 64. */
  embedBatchSize?: number;
  signal?: AbortSignal;
}

export interface ResolvedChunkOptions {
  strategy: ChunkStrategy;
  chunkSize: number;
  chunkOverlap: number;
  paragraphSeparator: string;
  extraAbbreviations: string[];
  tokenizer: ChunkTokenizer | undefined;
  embedder: Embedder | undefined;
  bufferSize: number;
  breakpointPercentileThreshold: number;
  embedBatchSize: number;
  signal: AbortSignal | undefined;
}

function isEmbedder(value: unknown): value is Embedder {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Embedder>;
  return (
    typeof candidate.embed === "function" &&
    typeof candidate.name === "string" &&
    Number.isInteger(candidate.dimension) &&
    (candidate.dimension ?? 0) > 0
  );
}

export const chunkOptionsSchema = z
  .strictObject({
    strategy: z.enum(["sentence", "markdown", "semantic"]).optional(),
    chunkSize: z
      .number()
      .int()
      .min(CHUNKING_DEFAULTS.minChunkSize)
      .max(CHUNKING_DEFAULTS.maxChunkSize)
      .default(CHUNKING_DEFAULTS.chunkSize),
    chunkOverlap: z.number().int().min(0).optional(),
    paragraphSeparator: z.string().min(1).default(CHUNKING_DEFAULTS.paragraphSeparator),
    extraAbbreviations: z.array(z.string().trim().min(1)).max(1000).default([]),
    tokenizer: z
      .custom<ChunkTokenizer>(isChunkTokenizer, "must have encode(text) and decode(tokens) methods")
      .optional(),
    embedder: z
      .custom<Embedder>(isEmbedder, "must be an Embedder (name, dimension, embed(texts))")
      .optional(),
    bufferSize: z.number().int().min(0).max(10).default(CHUNKING_DEFAULTS.bufferSize),
    breakpointPercentileThreshold: z
      .number()
      .min(0)
      .max(100)
      .default(CHUNKING_DEFAULTS.breakpointPercentileThreshold),
    embedBatchSize: z.number().int().min(1).max(2048).default(CHUNKING_DEFAULTS.embedBatchSize),
    signal: z
      .custom<AbortSignal>((value) => value instanceof AbortSignal, "must be an AbortSignal")
      .optional(),
  })
  .superRefine((options, ctx) => {
    if (options.chunkOverlap !== undefined && options.chunkOverlap >= options.chunkSize) {
      ctx.addIssue({
        code: "custom",
        path: ["chunkOverlap"],
        message: `must be less than chunkSize (${options.chunkSize})`,
      });
    }
    if (options.strategy === "semantic" && options.embedder === undefined) {
      ctx.addIssue({ code: "custom", path: ["embedder"], message: 'is required by the "semantic" strategy' });
    }
  });

/** Validates per-call options and fills in defaults; throws ValidationError. */
export function resolveChunkOptions(
  options: ChunkOptions | undefined,
  kind: DocumentKind,
): ResolvedChunkOptions {
  const parsed = chunkOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw validationErrorFromZod("chunk options", parsed.error.issues);
  const o = parsed.data;
  return {
    strategy: o.strategy ?? (o.embedder ? "semantic" : kind === "markdown" ? "markdown" : "sentence"),
    chunkSize: o.chunkSize,
    chunkOverlap: o.chunkOverlap ?? Math.min(CHUNKING_DEFAULTS.chunkOverlap, Math.floor(o.chunkSize / 4)),
    paragraphSeparator: o.paragraphSeparator,
    extraAbbreviations: o.extraAbbreviations,
    tokenizer: o.tokenizer,
    embedder: o.embedder,
    bufferSize: o.bufferSize,
    breakpointPercentileThreshold: o.breakpointPercentileThreshold,
    embedBatchSize: o.embedBatchSize,
    signal: o.signal,
  };
}

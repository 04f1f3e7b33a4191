import { z } from "zod";

/** Metadata filter keys become JSON keys, never SQL; the pattern is a second line of defence. */
export const filterKeySchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, "filter keys may contain only letters, digits, _ and - (max 64)");

const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
const filterValue = z.union([scalar, z.object({ in: z.array(scalar).min(1).max(100) }).strict()]);

export const searchInputSchema = z
  .object({
    query: z
      .string()
      .max(10_000, "must be at most 10,000 characters")
      .refine((q) => q.trim().length > 0, "must not be empty or whitespace"),
    mode: z.enum(["hybrid", "dense", "lexical"]).default("hybrid"),
    topK: z.number().int("must be an integer").min(1, "must be ≥ 1").max(1000, "must be ≤ 1000").default(10),
    /** Minimum cosine similarity for dense results, in [-1, 1]. */
    threshold: z.number().min(-1, "must be ≥ -1").max(1, "must be ≤ 1").optional(),
    /** Equality (or `{in: [...]}`) on chunk metadata, falling back to document metadata. */
    filter: z
      .record(z.string(), filterValue)
      .superRefine((f, ctx) => {
        for (const key of Object.keys(f)) {
          const r = filterKeySchema.safeParse(key);
          if (!r.success)
            ctx.addIssue({ code: "custom", path: [key], message: r.error.issues[0]?.message ?? "" });
        }
      })
      .optional(),
    documentIds: z.array(z.uuid()).max(1000).optional(),
    /**
     * Hybrid fusion: "score" (default) — convex combination of per-query absolute scores, BM25 over its
     * upper bound and cosine similarity, with the agreement gate (see search/fusion.ts); "rrf" — weighted
     * reciprocal rank fusion.
     */
    fusion: z.enum(["score", "rrf"]).default("score"),
    /** Score fusion: fade the dense channel out when it disagrees with the lexical one. Default: the store's. */
    agreementGate: z.boolean().optional(),
    /** Weights of the two channels (relative; equal by default). */
    weights: z
      .object({
        dense: z.number().min(0).max(100).default(1),
        lexical: z.number().min(0).max(100).default(1),
      })
      .optional(),
    /** RRF constant k (Cormack et al. use 60); only with fusion "rrf". */
    rrfK: z.number().int().min(1).max(1000).default(60),
    /** A precomputed query vector for the dense channel (skips embedding the query). */
    queryVector: z.array(z.number()).optional(),
  })
  .strict();

export type SearchInput = z.input<typeof searchInputSchema>;
export type ParsedSearchInput = z.output<typeof searchInputSchema>;

export interface SearchResult {
  chunkId: string;
  documentId: string;
  documentTitle: string | null;
  source: string;
  /** The document's id within its source (path, object key), when it has one. */
  sourceId: string | null;
  sourceUrl: string | null;
  text: string;
  chunkIndex: number;
  /** [start, end) offsets of the chunk in the document's extracted text. */
  start: number;
  end: number;
  pageNumber: number | null;
  sectionTitle: string | null;
  metadata: Record<string, unknown>;
  /** The score the list is ordered by: fused score (hybrid), similarity (dense) or BM25 (lexical). */
  score: number;
  scores: {
    dense?: { similarity: number; rank: number };
    /** `normalized`: bm25 over the query's BM25 upper bound in this tenant, in [0, 1]. */
    lexical?: { bm25: number; normalized: number; rank: number };
    fused?: number;
  };
}

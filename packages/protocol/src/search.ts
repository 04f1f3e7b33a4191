import { z } from "zod";
import { textSchema } from "./text.js";

/** Metadata filter keys become JSON keys server-side, never SQL. */
export const filterKeySchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, "filter keys may contain only letters, digits, _ and - (max 64)");

const filterScalarSchema = z.union([textSchema.max(1000), z.number().finite(), z.boolean()]);

/** A filter value: equality with a scalar, or membership with `{ in: [...] }`. */
export const filterValueSchema = z.union([
  filterScalarSchema,
  z.object({ in: z.array(filterScalarSchema).min(1).max(100) }).strict(),
]);

export const searchModeSchema = z.enum(["hybrid", "dense", "lexical"]);
export type SearchMode = z.infer<typeof searchModeSchema>;

/** The largest `topK` the HTTP API accepts (the store itself allows more for in-process callers). */
export const MAX_TOP_K = 100;

/**
 * `POST /search` body. Unknown fields are dropped, not rejected, so an older server accepts a newer client's
 * request; in particular a `tenantId` in the body has no effect (the tenant comes only from the token).
 */
export const searchRequestSchema = z.object({
  query: textSchema
    .max(10_000, "must be at most 10,000 characters")
    .refine((q) => q.trim().length > 0, "must not be empty or whitespace"),
  mode: searchModeSchema.default("hybrid"),
  topK: z
    .number()
    .int("must be an integer")
    .min(1, "must be ≥ 1")
    .max(MAX_TOP_K, `must be ≤ ${MAX_TOP_K}`)
    .default(10),
  /** Minimum cosine similarity for dense results, in [-1, 1]. */
  threshold: z.number().min(-1, "must be ≥ -1").max(1, "must be ≤ 1").optional(),
  /** Equality (or `{in: [...]}`) on chunk metadata, falling back to document metadata. */
  filter: z
    .record(textSchema, filterValueSchema)
    .superRefine((filter, ctx) => {
      const keys = Object.keys(filter);
      if (keys.length > 32) ctx.addIssue({ code: "custom", message: "at most 32 filter keys" });
      for (const key of keys) {
        const r = filterKeySchema.safeParse(key);
        if (!r.success)
          ctx.addIssue({ code: "custom", path: [key], message: r.error.issues[0]?.message ?? "" });
      }
    })
    .optional(),
  /** Restrict the search to these documents (ids from `GET /documents`). */
  documentIds: z.array(z.uuid("must be a document id (UUID)")).min(1).max(100).optional(),
});

/** What a client sends (defaults optional). */
export type SearchRequest = z.input<typeof searchRequestSchema>;
/** What the server works with after parsing (defaults applied). */
export type ParsedSearchRequest = z.output<typeof searchRequestSchema>;

export const searchResultSchema = z.object({
  chunkId: z.string(),
  documentId: z.string(),
  documentTitle: z.string().nullable(),
  source: z.string(),
  sourceUrl: z.string().nullable(),
  /** The chunk's text. */
  text: z.string(),
  chunkIndex: z.number().int().min(0),
  /** [start, end) character offsets of the chunk in the document's extracted text. */
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  /** 1-based page number for paginated sources (PDF), else null. */
  pageNumber: z.number().int().min(1).nullable(),
  /** The heading the chunk sits under, when the loader knew it. */
  sectionTitle: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  /** The score the list is ordered by: fused score (hybrid), similarity (dense) or BM25 (lexical). */
  score: z.number(),
  scores: z.object({
    dense: z.object({ similarity: z.number(), rank: z.number().int().min(1) }).optional(),
    lexical: z.object({ bm25: z.number(), rank: z.number().int().min(1) }).optional(),
    fused: z.number().optional(),
  }),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const searchResponseSchema = z.object({
  results: z.array(searchResultSchema),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

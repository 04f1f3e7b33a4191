import { createHash } from "node:crypto";
import { metadataSchema, textSchema } from "@ragkit/protocol/primitives";
import { z } from "zod";
import { termCounts } from "../analysis/index.js";
import type { Queryable } from "../db/driver.js";
import { validationErrorFromZod } from "../errors/index.js";
import { vectorLiteral } from "../search/sql.js";

export const documentStatusSchema = z.enum(["pending", "processing", "ready", "failed"]);
export type DocumentStatus = z.infer<typeof documentStatusSchema>;

export const chunkInputSchema = z
  .object({
    text: textSchema.min(1, "chunk text must not be empty"),
    start: z.number().int().min(0),
    end: z.number().int().min(0),
    pageNumber: z.number().int().min(1).nullable().optional(),
    sectionTitle: textSchema.max(2000).nullable().optional(),
    metadata: metadataSchema.optional(),
    /** Precomputed embedding; when absent the store embeds the chunk with its embedder. */
    embedding: z.array(z.number()).optional(),
  })
  .refine((c) => c.end >= c.start, { message: "end must be ≥ start", path: ["end"] });

export const putDocumentSchema = z.object({
  text: textSchema.max(50_000_000),
  title: textSchema.max(1000).nullable().optional(),
  /** Where the document came from: "upload", "cli", "s3", "sharepoint", "url", … */
  source: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, "must be a short lowercase word")
    .default("api"),
  /** Stable id within the source (path, object key). Re-putting the same id replaces the document. */
  sourceId: textSchema.min(1).max(2048).nullable().optional(),
  sourceUrl: textSchema.max(4096).nullable().optional(),
  mimeType: textSchema.max(255).nullable().optional(),
  metadata: metadataSchema.default({}),
  /** Defaults to sha256 of `text`. */
  contentHash: z.string().min(8).max(128).optional(),
  chunks: z.array(chunkInputSchema).max(1_000_000),
});

export type PutDocumentInput = z.input<typeof putDocumentSchema>;
export type ParsedPutDocument = z.output<typeof putDocumentSchema>;
export type ChunkInput = z.input<typeof chunkInputSchema>;

export interface DocumentRecord {
  id: string;
  tenantId: string;
  source: string;
  sourceId: string | null;
  sourceUrl: string | null;
  title: string | null;
  mimeType: string | null;
  contentHash: string;
  status: DocumentStatus;
  metadata: Record<string, unknown>;
  chunkCount: number;
  tokenCount: number;
  uploadedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PutDocumentResult {
  document: DocumentRecord;
  /** created: new; replaced: same source id, new content; unchanged: identical content already stored. */
  outcome: "created" | "replaced" | "unchanged";
}

export function parsePutDocument(input: PutDocumentInput): ParsedPutDocument {
  const parsed = putDocumentSchema.safeParse(input);
  if (!parsed.success) throw validationErrorFromZod("document", parsed.error.issues);
  const doc = parsed.data;
  doc.chunks.forEach((chunk, i) => {
    if (chunk.end > doc.text.length) {
      throw validationErrorFromZod("document", [
        {
          path: ["chunks", i, "end"],
          message: `offset ${chunk.end} is past the end of the text (${doc.text.length})`,
        },
      ]);
    }
  });
  return doc;
}

export function contentHashOf(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

export const documentColumns = `id, tenant_id, source, source_id, source_url, title, mime_type, content_hash, status,
  metadata, chunk_count, token_count, uploaded_by, created_at, updated_at`;

export interface DocumentRow {
  id: string;
  tenant_id: string;
  source: string;
  source_id: string | null;
  source_url: string | null;
  title: string | null;
  mime_type: string | null;
  content_hash: string;
  status: DocumentStatus;
  metadata: Record<string, unknown> | string;
  chunk_count: number;
  token_count: number;
  uploaded_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export function toDocumentRecord(row: DocumentRow): DocumentRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    source: row.source,
    sourceId: row.source_id,
    sourceUrl: row.source_url,
    title: row.title,
    mimeType: row.mime_type,
    contentHash: row.content_hash,
    status: row.status,
    metadata: parseJson(row.metadata),
    chunkCount: Number(row.chunk_count),
    tokenCount: Number(row.token_count),
    uploadedBy: row.uploaded_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function parseJson(value: Record<string, unknown> | string | null): Record<string, unknown> {
  if (value === null) return {};
  return typeof value === "string" ? (JSON.parse(value) as Record<string, unknown>) : value;
}

export interface ChunkRow {
  documentId: string;
  chunkIndex: number;
  chunk: ParsedPutDocument["chunks"][number];
  vector: readonly number[] | null;
}

/**
 * Inserts chunks and their lexical postings in one set-based statement (arrays unnested server-side), so a
 * batch of documents costs one round trip, not one per chunk. Postings come from the shared text analysis
 * (`termCounts`, the `ragkit-text-v1` analyzer), computed here rather than by a Postgres text search
 * configuration, so index terms, BM25 query terms and the offline embedder agree. Returns each document's
 * lexical length.
 *
 * Pipelined: the next slice's parameters (text analysis, vector literals: about a third of a bulk write's
 * time) are built while the server executes the current slice, so on a server the two overlap instead of
 * adding up. On PGlite the statement runs on this thread anyway; nothing changes there but the order.
 */
export async function insertChunks(
  tx: Queryable,
  schema: string,
  rows: readonly ChunkRow[],
): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  const add = (part: Map<string, number>) => {
    for (const [doc, total] of part) totals.set(doc, (totals.get(doc) ?? 0) + total);
  };
  let inFlight: Promise<Map<string, number>> | null = null;
  try {
    for (let i = 0; i < rows.length; i += CHUNKS_PER_STATEMENT) {
      const params = chunkSliceParams(rows.slice(i, i + CHUNKS_PER_STATEMENT));
      if (inFlight) {
        add(await inFlight);
        inFlight = null;
        await yieldToEventLoop();
      }
      inFlight = tx
        .query<{ document_id: string; total: number | string }>(insertChunksSql(schema), params)
        .then((result) => new Map(result.map((r) => [r.document_id, Number(r.total)])));
    }
    if (inFlight) add(await inFlight);
  } catch (error) {
    // A statement still in flight when building the next slice failed must not reject unobserved.
    inFlight?.catch(() => {});
    throw error;
  }
  return totals;
}

/**
 * Chunks per INSERT statement. PGlite runs a statement to completion on the Node main thread (tokenizing,
 * indexing and HNSW maintenance included), so one statement for a whole large upload would stall every other
 * request, `/health` included, for its full duration. Bounded statements with a turn of the event loop between
 * them keep each stall short (see docs/configuration.md, "What the embedded default guarantees").
 */
const CHUNKS_PER_STATEMENT = 32;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const insertChunksSql = (schema: string) => `WITH src AS (
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[],
                            $8::text[], $9::text[], $10::int[])
            WITH ORDINALITY AS t(doc, idx, text, so, eo, pg, sec, meta, emb, len, ord)
     ), ins AS (
       INSERT INTO ${schema}.chunks (tenant_id, document_id, chunk_index, text, start_offset, end_offset,
                                     page_number, section_title, metadata, embedding, lexical_length)
       SELECT ${schema}.current_tenant(), src.doc, src.idx, src.text, src.so, src.eo, src.pg, src.sec,
              src.meta::jsonb, src.emb::vector, src.len
       FROM src
       RETURNING id, document_id, chunk_index, lexical_length
     ), terms AS (
       INSERT INTO ${schema}.chunk_terms (tenant_id, term, chunk_id, tf, doc_length)
       SELECT ${schema}.current_tenant(), lex.term, ins.id, lex.tf, ins.lexical_length
       FROM unnest($11::int[], $12::text[], $13::int[]) AS lex(ord, term, tf)
       JOIN src ON src.ord = lex.ord
       JOIN ins ON ins.document_id = src.doc AND ins.chunk_index = src.idx
       RETURNING 1
     )
     -- "terms" runs to completion although unreferenced (Postgres executes every data-modifying CTE).
     SELECT document_id, sum(lexical_length)::int AS total FROM ins GROUP BY document_id`;

/** The statement's column arrays for one slice of chunks (the CPU part of a write). */
function chunkSliceParams(rows: readonly ChunkRow[]): unknown[] {
  // Postings name their chunk by its 1-based position in this batch (an int, not a uuid + index pair).
  const postings = postingArrays(rows.map((r, i) => ({ key: i + 1, text: r.chunk.text })));
  return [
    rows.map((r) => r.documentId),
    rows.map((r) => r.chunkIndex),
    rows.map((r) => r.chunk.text),
    rows.map((r) => r.chunk.start),
    rows.map((r) => r.chunk.end),
    rows.map((r) => r.chunk.pageNumber ?? null),
    rows.map((r) => r.chunk.sectionTitle ?? null),
    rows.map((r) => JSON.stringify(r.chunk.metadata ?? {})),
    rows.map((r) => (r.vector ? vectorLiteral(r.vector) : null)),
    postings.lengths,
    postings.keys,
    postings.terms,
    postings.tfs,
  ];
}

/** Column arrays of the postings of several texts (one row per distinct term of a text), keyed by `key`. */
export function postingArrays<K>(items: ReadonlyArray<{ key: K; text: string }>): {
  lengths: number[];
  keys: K[];
  terms: string[];
  tfs: number[];
} {
  const out = { lengths: [] as number[], keys: [] as K[], terms: [] as string[], tfs: [] as number[] };
  for (const { key, text } of items) {
    const counts = termCounts(text);
    out.lengths.push(counts.length);
    counts.terms.forEach((term, i) => {
      out.keys.push(key);
      out.terms.push(term);
      out.tfs.push(counts.counts[i]!);
    });
  }
  return out;
}

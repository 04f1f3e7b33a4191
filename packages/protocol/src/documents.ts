import { z } from "zod";
import { metadataSchema } from "./json.js";
import { storableText, textSchema } from "./text.js";

export const documentStatusSchema = z.enum(["pending", "processing", "ready", "failed"]);
export type DocumentStatus = z.infer<typeof documentStatusSchema>;

/** A document as the API shows it: no text, no tenant id; timestamps as ISO 8601 strings. */
export const documentSummarySchema = z.object({
  id: z.string(),
  title: z.string().nullable(),
  /** Where it came from: "upload", "cli", "s3", "url", … */
  source: z.string(),
  sourceId: z.string().nullable(),
  sourceUrl: z.string().nullable(),
  mimeType: z.string().nullable(),
  contentHash: z.string(),
  status: documentStatusSchema,
  metadata: z.record(z.string(), z.unknown()),
  chunkCount: z.number().int().min(0),
  tokenCount: z.number().int().min(0),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type DocumentSummary = z.infer<typeof documentSummarySchema>;

/** The largest page `GET /documents` returns. */
export const MAX_DOCUMENTS_PAGE = 100;

/**
 * `GET /documents` query string. Values arrive as strings, so `limit` is coerced; unknown parameters are
 * ignored (a `tenant_id` parameter has no effect).
 */
export const listDocumentsQuerySchema = z.object({
  limit: z.coerce
    .number("must be a number")
    .int("must be an integer")
    .min(1, "must be ≥ 1")
    .max(MAX_DOCUMENTS_PAGE, `must be ≤ ${MAX_DOCUMENTS_PAGE}`)
    .default(20),
  /** Opaque cursor: the previous page's `nextCursor`. */
  cursor: textSchema
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9_-]*$/, "must be a cursor from a previous page's nextCursor")
    .optional(),
  status: documentStatusSchema.optional(),
});
export type ListDocumentsQuery = z.input<typeof listDocumentsQuerySchema>;
export type ParsedListDocumentsQuery = z.output<typeof listDocumentsQuerySchema>;

export const documentListResponseSchema = z.object({
  documents: z.array(documentSummarySchema),
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type DocumentListResponse = z.infer<typeof documentListResponseSchema>;

/** `GET /documents/:id` body. */
export const documentResponseSchema = z.object({
  document: documentSummarySchema,
});
export type DocumentResponse = z.infer<typeof documentResponseSchema>;

/** `POST /documents` with a JSON body: a text document (for files, send `multipart/form-data`). */
export const textDocumentRequestSchema = z
  .object({
    text: textSchema.min(1, "must not be empty"),
    title: textSchema.min(1).max(1000).optional(),
    /** How to parse `text`. Default "text"; "markdown" keeps headings as sections, "html" extracts main text. */
    format: z.enum(["text", "markdown", "html"]).default("text"),
    /** Your id for the document: uploading again with the same id replaces it. */
    sourceId: textSchema.min(1).max(2048).optional(),
    sourceUrl: storableText(z.url().max(4096)).optional(),
    metadata: metadataSchema.optional(),
  })
  .strict();
export type TextDocumentRequest = z.input<typeof textDocumentRequestSchema>;

/** One accepted file of an upload: its ingestion job (poll `GET /jobs/:id` or stream `GET /jobs/:id/events`). */
export const acceptedUploadSchema = z.object({
  jobId: z.string(),
  filename: z.string().nullable(),
  sizeBytes: z.number().int().min(0),
});
export type AcceptedUpload = z.infer<typeof acceptedUploadSchema>;

/** `POST /documents` answer (202): one job per accepted file. */
export const uploadResponseSchema = z.object({ jobs: z.array(acceptedUploadSchema) });
export type UploadResponse = z.infer<typeof uploadResponseSchema>;

/** `GET /documents/:id/content`: the extracted text that chunk offsets and citations point into. */
export const documentContentResponseSchema = z.object({
  document: documentSummarySchema,
  text: z.string(),
});
export type DocumentContentResponse = z.infer<typeof documentContentResponseSchema>;

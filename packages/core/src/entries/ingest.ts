/**
 * `@ragkit/core/ingest`: loaders (PDF, DOCX, HTML, Markdown, text), chunking, the ingestion pipeline and the
 * durable job queue. Loads unpdf and mammoth; not LangChain.
 */
export * from "../ingest/chunking/index.js";
export * from "../ingest/loaders/index.js";
export type { IngestOptions, IngestProgress, IngestResult, IngestStage } from "../ingest/pipeline.js";
export { indexLoadedDocument, ingestDocument } from "../ingest/pipeline.js";
export { reindexDocument } from "../ingest/reindex.js";
export type * from "../ingest/types.js";
export * from "../jobs/index.js";

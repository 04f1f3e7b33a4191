import type { Queryable } from "../db/driver.js";
import type { EmbeddingUsage } from "../embeddings/openai.js";
import type { Embedder, EmbedOptions } from "../embeddings/types.js";
import type { PutDocumentResult } from "../store/documents.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { replaceUnstorable, replaceUnstorableJson } from "../store/storable.js";
import type { TenantContext } from "../tenant/context.js";
import { type ChunkOptions, chunkDocument } from "./chunking/index.js";
import { type LoadDocumentInput, type LoadDocumentOptions, loadDocument } from "./loaders/index.js";
import type { ChunkDraft, LoadedDocument } from "./types.js";

export type IngestStage = "parsing" | "chunking" | "embedding" | "indexing";

export interface IngestProgress {
  stage: IngestStage;
  /** 0..1 over the whole pipeline. */
  progress: number;
  detail?: string;
}

export interface IngestOptions {
  load?: LoadDocumentOptions;
  chunking?: Omit<ChunkOptions, "signal">;
  /** Where the document came from ("upload", "cli", "s3", …). Default "upload". */
  source?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Awaited: a slow or failing listener (e.g. a job heartbeat that lost its lease) holds or stops the pipeline. */
  onProgress?: (progress: IngestProgress) => void | Promise<void>;
  /** Texts per embedding call, so progress moves and one failure does not waste a whole document. */
  embedBatchSize?: number;
  /** Runs in the document's write transaction (see `PutOptions.beforeCommit`), with this ingestion's usage. */
  beforeCommit?: (tx: Queryable, result: PutDocumentResult, usage: EmbeddingUsage) => Promise<void>;
}

export interface IngestResult extends PutDocumentResult {
  chunks: number;
  usage: EmbeddingUsage;
  loaded: Pick<LoadedDocument, "kind" | "mimeType" | "title" | "metadata">;
}

/** Stage weights for overall progress: embedding dominates with a remote model. */
const WEIGHTS: Record<IngestStage, [number, number]> = {
  parsing: [0, 0.15],
  chunking: [0.15, 0.25],
  embedding: [0.25, 0.9],
  indexing: [0.9, 1],
};

/**
 * The ingestion pipeline for one file: load (type sniffing, text, pages, sections) → chunk (exact offsets)
 * → embed (batched, with usage) → store (atomic put: created / replaced / unchanged).
 */
export async function ingestDocument(
  store: KnowledgeStore,
  ctx: TenantContext,
  input: LoadDocumentInput,
  options: IngestOptions = {},
): Promise<IngestResult> {
  await progressReporter(options)("parsing", 0);
  const loaded = await loadDocument(input, { ...options.load, signal: options.signal });
  return indexLoadedDocument(store, ctx, loaded, input, options);
}

/**
 * What a loader read from a file, made storable: a stray NUL in a PDF's text or Info dictionary must not make
 * the document unindexable (Postgres cannot store it). Replaced one for one, so every offset still holds.
 */
function storableExtraction(loaded: LoadedDocument): LoadedDocument {
  return {
    ...loaded,
    text: replaceUnstorable(loaded.text),
    title: loaded.title === null ? null : replaceUnstorable(loaded.title),
    sections: loaded.sections.map((s) => ({ ...s, title: replaceUnstorable(s.title) })),
    metadata: replaceUnstorableJson(loaded.metadata),
  };
}

function progressReporter(options: IngestOptions) {
  return async (stage: IngestStage, fraction: number, detail?: string) => {
    const [from, to] = WEIGHTS[stage];
    const progress = from + (to - from) * Math.min(1, Math.max(0, fraction));
    await options.onProgress?.({ stage, progress, ...(detail ? { detail } : {}) });
  };
}

/**
 * Chunk → embed → store for a document whose text is already extracted (by a loader, or from the store for a
 * reindex). `force` rewrites the document even when its text is unchanged.
 */
export async function indexLoadedDocument(
  store: KnowledgeStore,
  ctx: TenantContext,
  extracted: LoadedDocument,
  ref: Pick<LoadDocumentInput, "sourceId" | "sourceUrl">,
  options: IngestOptions & { force?: boolean } = {},
): Promise<IngestResult> {
  const input = ref;
  const loaded = storableExtraction(extracted);
  const report = progressReporter(options);
  await report("chunking", 0);
  const drafts = await chunkDocument(loaded, { ...options.chunking, signal: options.signal });
  await report("embedding", 0, `${drafts.length} chunks`);
  const source = options.source ?? "upload";
  // Identical content already stored: skip the (possibly paid) embedding; the put below reports "unchanged".
  const unchanged =
    !options.force &&
    (await store.findUnchanged(ctx, {
      text: loaded.text,
      source,
      sourceId: input.sourceId ?? null,
    }));
  const { vectors, usage } = unchanged
    ? { vectors: [] as number[][], usage: { promptTokens: 0, totalTokens: 0, costUsd: 0, requests: 0 } }
    : await embedAll(store.embedder, drafts, options, (done) =>
        report("embedding", done / Math.max(1, drafts.length), `${done}/${drafts.length} chunks`),
      );
  await report("indexing", 0);
  const metadata = { ...loaded.metadata, ...options.metadata };
  const result = await store.putDocument(
    ctx,
    {
      text: loaded.text,
      title: options.title ?? loaded.title,
      source,
      sourceId: input.sourceId ?? null,
      sourceUrl: input.sourceUrl ?? null,
      mimeType: loaded.mimeType,
      metadata,
      chunks: drafts.map((d, i) => ({
        text: d.text,
        start: d.start,
        end: d.end,
        pageNumber: d.pageNumber,
        sectionTitle: d.sectionTitle,
        metadata: d.metadata,
        ...(vectors[i] ? { embedding: vectors[i] } : {}),
      })),
    },
    {
      beforeCommit: options.beforeCommit ? (tx, [r]) => options.beforeCommit!(tx, r!, usage) : undefined,
      ...(options.force ? { force: true } : {}),
    },
  );
  return {
    ...result,
    chunks: drafts.length,
    usage,
    loaded: { kind: loaded.kind, mimeType: loaded.mimeType, title: loaded.title, metadata: loaded.metadata },
  };
}

interface UsageReportingEmbedder extends Embedder {
  embedWithUsage(
    texts: readonly string[],
    options?: EmbedOptions,
  ): Promise<{ vectors: number[][]; usage: EmbeddingUsage }>;
}

function reportsUsage(embedder: Embedder): embedder is UsageReportingEmbedder {
  return typeof (embedder as Partial<UsageReportingEmbedder>).embedWithUsage === "function";
}

async function embedAll(
  embedder: Embedder,
  drafts: readonly ChunkDraft[],
  options: IngestOptions,
  onBatch: (done: number) => Promise<void>,
): Promise<{ vectors: number[][]; usage: EmbeddingUsage }> {
  const usage: EmbeddingUsage = { promptTokens: 0, totalTokens: 0, costUsd: 0, requests: 0 };
  const vectors: number[][] = [];
  const batch = options.embedBatchSize ?? 256;
  for (let i = 0; i < drafts.length; i += batch) {
    const texts = drafts.slice(i, i + batch).map((d) => d.text);
    const embedOptions: EmbedOptions = {
      kind: "document",
      ...(options.signal ? { signal: options.signal } : {}),
    };
    if (reportsUsage(embedder)) {
      const r = await embedder.embedWithUsage(texts, embedOptions);
      vectors.push(...r.vectors);
      usage.promptTokens += r.usage.promptTokens;
      usage.totalTokens += r.usage.totalTokens;
      usage.costUsd += r.usage.costUsd;
      usage.requests += r.usage.requests;
    } else {
      vectors.push(...(await embedder.embed(texts, embedOptions)));
      // Local embedders bill nothing; count the chunker's tokens so usage is still comparable.
      const tokens = drafts.slice(i, i + batch).reduce((sum, d) => sum + d.tokenCount, 0);
      usage.promptTokens += tokens;
      usage.totalTokens += tokens;
    }
    await onBatch(Math.min(drafts.length, i + batch));
  }
  return { vectors, usage };
}

import type { ChunkRecord, KnowledgeStore } from "../store/knowledge-store.js";
import type { TenantContext } from "../tenant/context.js";
import { MIME_TYPES } from "./loaders/index.js";
import { type IngestOptions, type IngestResult, indexLoadedDocument } from "./pipeline.js";
import type { DocumentKind, LoadedDocument, PageSpan, SectionSpan } from "./types.js";

/**
 * Re-chunks and re-embeds a stored document (new chunking settings, a new embedder) from its stored text.
 * The original file is not kept, so page and section boundaries are rebuilt from the current chunks: every
 * character keeps the page and section it had, and chunk offsets keep pointing into the same text.
 */
export async function reindexDocument(
  store: KnowledgeStore,
  ctx: TenantContext,
  documentId: string,
  options: Omit<IngestOptions, "source" | "title" | "metadata"> = {},
): Promise<IngestResult> {
  const { document, text } = await store.getDocumentText(ctx, documentId);
  const chunks = await store.listChunks(ctx, documentId);
  const loaded: LoadedDocument = {
    kind: kindOf(document.mimeType),
    mimeType: document.mimeType ?? MIME_TYPES.text,
    text,
    title: document.title,
    pages: pagesFrom(chunks),
    sections: sectionsFrom(chunks),
    metadata: document.metadata,
  };
  return indexLoadedDocument(
    store,
    ctx,
    loaded,
    {
      ...(document.sourceId ? { sourceId: document.sourceId } : {}),
      ...(document.sourceUrl ? { sourceUrl: document.sourceUrl } : {}),
    },
    { ...options, source: document.source, force: true },
  );
}

function kindOf(mimeType: string | null): DocumentKind {
  const entry = Object.entries(MIME_TYPES).find(([, mime]) => mime === mimeType);
  return (entry?.[0] as DocumentKind | undefined) ?? "text";
}

/** Consecutive chunks on the same page form that page's span. */
export function pagesFrom(chunks: readonly ChunkRecord[]): PageSpan[] {
  const pages: PageSpan[] = [];
  for (const c of chunks) {
    if (c.pageNumber === null) continue;
    const last = pages.at(-1);
    if (last && last.pageNumber === c.pageNumber) last.end = Math.max(last.end, c.end);
    else
      pages.push({
        pageNumber: c.pageNumber,
        start: last ? Math.max(c.start, last.end) : c.start,
        end: c.end,
      });
  }
  return pages;
}

/** Consecutive chunks under the same section title form that section (one level: the stored title is flat). */
export function sectionsFrom(chunks: readonly ChunkRecord[]): SectionSpan[] {
  const sections: SectionSpan[] = [];
  for (const c of chunks) {
    if (c.sectionTitle === null) continue;
    const last = sections.at(-1);
    if (last && last.title === c.sectionTitle) last.end = Math.max(last.end, c.end);
    else {
      sections.push({
        title: c.sectionTitle,
        level: 1,
        start: last ? Math.max(c.start, last.end) : c.start,
        end: c.end,
      });
    }
  }
  return sections;
}

import type { DocumentRecord } from "@ragkit/core";
import type { DocumentSummary } from "@ragkit/protocol";

export function toDocumentSummary(d: DocumentRecord): DocumentSummary {
  return {
    id: d.id,
    title: d.title,
    source: d.source,
    sourceId: d.sourceId,
    sourceUrl: d.sourceUrl,
    mimeType: d.mimeType,
    contentHash: d.contentHash,
    status: d.status,
    metadata: d.metadata,
    chunkCount: d.chunkCount,
    tokenCount: d.tokenCount,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

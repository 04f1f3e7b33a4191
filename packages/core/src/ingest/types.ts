/**
 * Shared shapes of the ingestion pipeline: loaders produce a LoadedDocument, chunkers turn it into
 * ChunkDrafts whose offsets index into `LoadedDocument.text` (the extracted document text), so a
 * citation can always point back into the source.
 */
export type DocumentKind = "pdf" | "docx" | "markdown" | "html" | "text";

export interface PageSpan {
  /** 1-based page number. */
  pageNumber: number;
  /** [start, end) character offsets of the page's text in `LoadedDocument.text`. */
  start: number;
  end: number;
}

export interface SectionSpan {
  title: string;
  /** Heading level, 1 = top. */
  level: number;
  /** [start, end) offsets of the section (heading included) in `LoadedDocument.text`. */
  start: number;
  end: number;
}

export interface LoadedDocument {
  kind: DocumentKind;
  mimeType: string;
  /** The extracted text; all offsets refer to this string. */
  text: string;
  title: string | null;
  pages: PageSpan[];
  sections: SectionSpan[];
  metadata: DocumentMetadata;
}

export interface DocumentMetadata {
  filename?: string;
  sizeBytes?: number;
  pageCount?: number;
  sourceUrl?: string;
  sourceId?: string;
  uploadedAt?: string;
  uploadedBy?: string;
  [key: string]: unknown;
}

export interface ChunkDraft {
  index: number;
  text: string;
  /** [start, end) offsets into LoadedDocument.text; `text === documentText.slice(start, end)`. */
  start: number;
  end: number;
  pageNumber: number | null;
  sectionTitle: string | null;
  tokenCount: number;
  metadata: Record<string, unknown>;
}

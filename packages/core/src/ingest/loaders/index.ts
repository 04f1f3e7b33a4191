import { z } from "zod";
import { RagKitError, validationErrorFromZod } from "../../errors/index.js";
import type { DocumentMetadata, LoadedDocument } from "../types.js";
import { baseName, detectDocumentType } from "./detect.js";
import { loadDocx } from "./docx.js";
import { loadHtml } from "./html.js";
import { loadMarkdown } from "./markdown.js";
import { loadPdf } from "./pdf.js";
import { type ExtractedContent, formatBytes, throwIfAborted, titleFromSections } from "./shared.js";
import { loadText } from "./text.js";

export type { DetectedDocument, DetectInput } from "./detect.js";
export { detectDocumentType, MIME_TYPES } from "./detect.js";
export { PAGE_SEPARATOR } from "./pdf.js";
export type { ZipEntryInfo } from "./zip.js";

const MiB = 1024 * 1024;

/** Default input size limit: 50 MiB. */
export const DEFAULT_MAX_BYTES = 50 * MiB;
/** Default page limit for PDFs. */
export const DEFAULT_MAX_PAGES = 2000;
export const MIN_DEFAULT_DECOMPRESSED_BYTES = 32 * MiB;
export const MAX_DEFAULT_DECOMPRESSED_BYTES = 200 * MiB;

/**
 * Default bound on a DOCX's total declared uncompressed size: 100× the input, clamped to [32 MiB, 200 MiB].
 *
 * 100× alone would let a 50 MiB upload expand to 5 GiB; 200 MiB alone would let a 200 KiB file expand a
 * thousandfold, and mammoth holds the whole XML tree in memory. The 32 MiB floor keeps small but legitimately
 * repetitive documents (generated reports reach ~270:1 on document.xml) loadable.
 */
export function defaultMaxDecompressedBytes(inputBytes: number): number {
  return Math.min(MAX_DEFAULT_DECOMPRESSED_BYTES, Math.max(MIN_DEFAULT_DECOMPRESSED_BYTES, inputBytes * 100));
}

export interface LoadDocumentInput {
  /** The raw file bytes (a Node Buffer works too). Never modified. */
  data: Uint8Array;
  /** Original file name; its extension is cross-checked against the content. Directories are stripped. */
  filename?: string;
  /** Declared MIME type (e.g. the upload's Content-Type); cross-checked like the extension. */
  mimeType?: string;
  sourceUrl?: string;
  sourceId?: string;
  uploadedBy?: string;
}

export interface LoadDocumentOptions {
  /** Refuse inputs larger than this many bytes before parsing anything. Default 50 MiB. */
  maxBytes?: number;
  /** Refuse PDFs with more pages than this (checked before any page is read). Default 2000. */
  maxPages?: number;
  /** Bound on the sum of a DOCX's declared uncompressed entry sizes. Default: see defaultMaxDecompressedBytes. */
  maxDecompressedBytes?: number;
  /** Checked between PDF pages and between the stages of every loader. */
  signal?: AbortSignal;
}

const positiveInt = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const inputSchema = z.object({
  data: z.instanceof(Uint8Array, { message: "must be a Uint8Array" }),
  filename: z.string().min(1).max(1024).optional(),
  mimeType: z.string().max(255).optional(),
  sourceUrl: z.string().min(1).max(4096).optional(),
  sourceId: z.string().min(1).max(1024).optional(),
  uploadedBy: z.string().min(1).max(1024).optional(),
});

const optionsSchema = z
  .object({
    maxBytes: positiveInt.optional(),
    maxPages: positiveInt.optional(),
    maxDecompressedBytes: positiveInt.optional(),
    signal: z.instanceof(AbortSignal, { message: "must be an AbortSignal" }).optional(),
  })
  .optional();

/**
 * Loads a document from its bytes: detects its type from the content (cross-checked with the filename
 * and MIME type), extracts its text, page spans (PDF) and heading sections (DOCX, Markdown, HTML), and
 * fills in metadata. All offsets in the result are [start, end) indexes into `text`.
 *
 * Errors are RagKitErrors: "invalid_input" (bad arguments, empty, corrupt, encrypted, or content that
 * contradicts the declared type), "unsupported_type" (a format we do not load), "too_large" (maxBytes,
 * maxPages, maxDecompressedBytes) and "aborted".
 */
export async function loadDocument(
  input: LoadDocumentInput,
  options: LoadDocumentOptions = {},
): Promise<LoadedDocument> {
  const parsedInput = inputSchema.safeParse(input);
  if (!parsedInput.success) throw validationErrorFromZod("document input", parsedInput.error.issues);
  const parsedOptions = optionsSchema.safeParse(options);
  if (!parsedOptions.success) throw validationErrorFromZod("load options", parsedOptions.error.issues);

  const { data } = input;
  const signal = options.signal;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const filename = input.filename === undefined ? undefined : baseName(input.filename);
  throwIfAborted(signal);

  if (data.byteLength > maxBytes) {
    throw new RagKitError(
      "too_large",
      `Document is ${formatBytes(data.byteLength)} (${data.byteLength} bytes), over the maxBytes limit of ${formatBytes(
        maxBytes,
      )} (${maxBytes} bytes).`,
    );
  }
  if (data.byteLength === 0) {
    throw new RagKitError("invalid_input", "Document is empty (0 bytes).");
  }

  const detected = detectDocumentType(
    { data, filename, mimeType: input.mimeType },
    { maxDecompressedBytes: options.maxDecompressedBytes ?? defaultMaxDecompressedBytes(data.byteLength) },
  );
  throwIfAborted(signal);

  let content: ExtractedContent;
  switch (detected.kind) {
    case "pdf":
      content = await loadPdf(data, { maxPages: options.maxPages ?? DEFAULT_MAX_PAGES, signal });
      break;
    case "docx":
      content = await loadDocx(data, detected.zipEntries, { signal });
      break;
    case "markdown":
      content = loadMarkdown(detected.text);
      break;
    case "html":
      content = loadHtml(detected.text);
      break;
    case "text":
      content = loadText(detected.text, detected.encoding);
      break;
  }
  throwIfAborted(signal);

  let title = content.title;
  let titleSource = content.titleSource;
  if (title === null) {
    title = titleFromSections(content.sections);
    titleSource = title === null ? null : "heading";
  }
  if (title === null && filename !== undefined) {
    title = filename;
    titleSource = "filename";
  }

  const metadata: DocumentMetadata = {
    ...content.metadata,
    type: detected.kind,
    mimeType: detected.mimeType,
    sizeBytes: data.byteLength,
    uploadedAt: new Date().toISOString(),
  };
  if (title !== null) metadata.title = title;
  if (titleSource !== null) metadata.titleSource = titleSource;
  if (filename !== undefined) metadata.filename = filename;
  if (input.uploadedBy !== undefined) metadata.uploadedBy = input.uploadedBy;
  if (input.sourceUrl !== undefined) metadata.sourceUrl = input.sourceUrl;
  if (input.sourceId !== undefined) metadata.sourceId = input.sourceId;

  return {
    kind: detected.kind,
    mimeType: detected.mimeType,
    text: content.text,
    title,
    pages: content.pages,
    sections: content.sections,
    metadata,
  };
}

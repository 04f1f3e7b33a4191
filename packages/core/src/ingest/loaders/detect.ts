import { filetypeinfo } from "magic-bytes.js";
import { RagKitError } from "../../errors/index.js";
import type { DocumentKind } from "../types.js";
import { DOCX_MAIN_PART } from "./docx.js";
import { describeInput } from "./shared.js";
import { decodeText, type TextEncodingName } from "./text.js";
import { inspectZip, type ZipEntryInfo, type ZipLimits } from "./zip.js";

/** The MIME type reported for each kind of document. */
export const MIME_TYPES: Readonly<Record<DocumentKind, string>> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  markdown: "text/markdown",
  html: "text/html",
  text: "text/plain",
};

const KIND_LABEL: Readonly<Record<DocumentKind, string>> = {
  pdf: "PDF",
  docx: "DOCX (Word)",
  markdown: "Markdown",
  html: "HTML",
  text: "plain text",
};

const EXTENSION_KINDS: Readonly<Record<string, DocumentKind>> = {
  pdf: "pdf",
  docx: "docx",
  md: "markdown",
  markdown: "markdown",
  mdown: "markdown",
  mkd: "markdown",
  mkdn: "markdown",
  html: "html",
  htm: "html",
  xhtml: "html",
  txt: "text",
  text: "text",
};

const MIME_KINDS: Readonly<Record<string, DocumentKind>> = {
  "application/pdf": "pdf",
  "application/x-pdf": "pdf",
  [MIME_TYPES.docx]: "docx",
  "text/markdown": "markdown",
  "text/x-markdown": "markdown",
  "text/html": "html",
  "application/xhtml+xml": "html",
  "text/plain": "text",
};

/** Other OOXML/ODF packages we can name in an error message. */
const ZIP_FLAVOURS: ReadonlyArray<[marker: string, label: string]> = [
  ["xl/workbook.xml", "an Excel workbook (.xlsx)"],
  ["ppt/presentation.xml", "a PowerPoint presentation (.pptx)"],
  ["mimetype", "an OpenDocument file"],
  ["META-INF/MANIFEST.MF", "a Java archive"],
];

export const SUPPORTED_TYPES_HINT = "supported: PDF, DOCX, Markdown, HTML, plain text (UTF-8)";

export interface DetectInput {
  data: Uint8Array;
  filename?: string;
  mimeType?: string;
}

export type DetectedDocument =
  | { kind: "pdf"; mimeType: string }
  | { kind: "docx"; mimeType: string; zipEntries: ZipEntryInfo[] }
  | { kind: "markdown" | "html" | "text"; mimeType: string; text: string; encoding: TextEncodingName };

/** The final path segment of a filename (client paths may use / or \). */
export function baseName(filename: string): string {
  const parts = filename.split(/[\\/]/);
  return parts[parts.length - 1] ?? filename;
}

export function extensionOf(filename: string | undefined): string | null {
  if (filename === undefined) return null;
  const name = baseName(filename);
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || dot === name.length - 1) return null;
  return name.slice(dot + 1).toLowerCase();
}

/** "Text/HTML; charset=UTF-8" → "text/html"; generic binary types count as "no declaration". */
export function normaliseMimeType(mimeType: string | undefined): string | null {
  if (mimeType === undefined) return null;
  const essence = mimeType.split(";")[0]!.trim().toLowerCase();
  if (essence === "" || essence === "application/octet-stream" || essence === "binary/octet-stream")
    return null;
  return essence;
}

/** The kind the caller claims, from the extension first (users see and choose it), then the MIME type. */
export function declaredKind(
  filename: string | undefined,
  mimeType: string | undefined,
): DocumentKind | null {
  const ext = extensionOf(filename);
  const fromExtension = ext === null ? undefined : EXTENSION_KINDS[ext];
  if (fromExtension !== undefined) return fromExtension;
  const mime = normaliseMimeType(mimeType);
  return (mime === null ? undefined : MIME_KINDS[mime]) ?? null;
}

/**
 * A PDF header at offset 0 (magic-bytes.js). When the caller declares a PDF, a header after up to 1 KiB of
 * leading junk also counts, as the PDF spec and pdf.js allow; for anything else that would misread text
 * that merely mentions "%PDF-" near its start.
 */
function isPdf(data: Uint8Array, magic: ReadonlyArray<{ typename: string }>, declaredPdf: boolean): boolean {
  if (magic.some((m) => m.typename === "pdf")) return true;
  if (!declaredPdf) return false;
  const head = data.subarray(0, 1024);
  for (let i = 0; i + 5 <= head.length; i++) {
    if (
      head[i] === 0x25 &&
      head[i + 1] === 0x50 &&
      head[i + 2] === 0x44 &&
      head[i + 3] === 0x46 &&
      head[i + 4] === 0x2d
    ) {
      return true;
    }
  }
  return false;
}

const HTML_SNIFF = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html)[\s>]/i;

/** Content sniffing for HTML: a doctype or an <html> tag at the start (comments allowed before). */
export function looksLikeHtml(text: string): boolean {
  return HTML_SNIFF.test(text.slice(0, 4096));
}

function describeBinary(magic: ReadonlyArray<{ typename: string; mime?: string | undefined }>): string {
  const first = magic[0];
  return first === undefined ? "unrecognised binary data" : `binary data (detected: ${first.typename})`;
}

/**
 * Decides how to load the bytes. Content decides for binary formats (magic bytes for PDF and ZIP, then
 * `word/document.xml` in the ZIP central directory for DOCX); the extension / MIME type only choose between
 * the text formats, after the bytes have been confirmed to be text. A declaration that the content
 * contradicts is an error, never silently "corrected".
 */
export function detectDocumentType(input: DetectInput, zipLimits: ZipLimits): DetectedDocument {
  const { data, filename } = input;
  const declared = declaredKind(filename, input.mimeType);
  const who = describeInput(filename === undefined ? undefined : baseName(filename));
  const claimed = declared === null ? "" : `is declared as ${KIND_LABEL[declared]} but `;
  const magic = filetypeinfo(data.subarray(0, 4096));

  if (isPdf(data, magic, declared === "pdf")) {
    if (declared !== null && declared !== "pdf") {
      throw new RagKitError("invalid_input", `${who} ${claimed}its content is a PDF document.`);
    }
    return { kind: "pdf", mimeType: MIME_TYPES.pdf };
  }

  if (magic.some((m) => m.typename === "zip")) {
    const entries = inspectZip(data, zipLimits);
    const names = new Set(entries.map((e) => e.name));
    if (names.has(DOCX_MAIN_PART)) {
      if (declared !== null && declared !== "docx") {
        throw new RagKitError("invalid_input", `${who} ${claimed}its content is a Word (DOCX) document.`);
      }
      return { kind: "docx", mimeType: MIME_TYPES.docx, zipEntries: entries };
    }
    const flavour = ZIP_FLAVOURS.find(([marker]) => names.has(marker))?.[1] ?? "a ZIP archive";
    if (declared === "docx") {
      throw new RagKitError(
        "invalid_input",
        `${who} is not a Word document: it is ${flavour} without ${DOCX_MAIN_PART}.`,
      );
    }
    if (declared !== null)
      throw new RagKitError("invalid_input", `${who} ${claimed}its content is ${flavour}.`);
    throw new RagKitError(
      "unsupported_type",
      `Unsupported document type: ${flavour} (${SUPPORTED_TYPES_HINT}).`,
    );
  }

  if (declared === "pdf") {
    throw new RagKitError(
      "invalid_input",
      `${who} is not a PDF: it does not start with a %PDF- header (content: ${contentSummary(data, magic)}).`,
    );
  }
  if (declared === "docx") {
    throw new RagKitError(
      "invalid_input",
      `${who} is not a Word document: a DOCX is a ZIP archive, this is ${contentSummary(data, magic)}.`,
    );
  }

  const decoded = decodeText(data);
  if (!decoded.ok) {
    const binary = decoded.reason === "binary" || magic.length > 0;
    const what = binary
      ? magic.length > 0
        ? describeBinary(magic)
        : `binary data (it ${decoded.reason === "binary" ? decoded.detail : "is not text"})`
      : `not valid ${decoded.encoding.toUpperCase()} text${
          decoded.reason === "invalid_encoding" && decoded.offset !== null
            ? ` (invalid byte sequence at byte ${decoded.offset})`
            : ""
        }`;
    if (declared !== null) {
      const hint = binary ? "" : "; convert it to UTF-8 first";
      throw new RagKitError("invalid_input", `${who} ${claimed}its content is ${what}${hint}.`);
    }
    throw new RagKitError(
      "unsupported_type",
      `Unsupported document type: ${filename === undefined ? "the content" : who} is ${what} (${SUPPORTED_TYPES_HINT}).`,
    );
  }

  // `declared` can no longer be "pdf" or "docx" here: those returned or threw above.
  const kind = declared ?? (looksLikeHtml(decoded.text) ? "html" : "text");
  return { kind, mimeType: MIME_TYPES[kind], text: decoded.text, encoding: decoded.encoding };
}

function contentSummary(data: Uint8Array, magic: ReadonlyArray<{ typename: string }>): string {
  if (magic.length > 0) return describeBinary(magic);
  const decoded = decodeText(data.subarray(0, 4096));
  // A 4 KiB prefix may cut a multi-byte character; that still reads as "text" for this message.
  return decoded.ok || (decoded.reason === "invalid_encoding" && data.length > 4096)
    ? "text"
    : "unrecognised binary data";
}

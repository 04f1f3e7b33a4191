import { getDocumentProxy } from "unpdf";
import { RagKitError } from "../../errors/index.js";
import type { PageSpan } from "../types.js";
import { cleanTitle, type ExtractedContent, errorMessage, throwIfAborted } from "./shared.js";

export interface PdfOptions {
  maxPages: number;
  signal?: AbortSignal;
}

/** Separator between the text of consecutive pages; never part of a page span. */
export const PAGE_SEPARATOR = "\n\n";

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

/** "D:20240102030405Z" / "D:20240102030405+01'00'" → ISO 8601, or null if it does not parse. */
export function parsePdfDate(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m =
    /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz])|([+-])(\d{2})'?(\d{2})?'?)?/.exec(
      value.trim(),
    );
  if (!m) return null;
  const [, y, mo = "01", d = "01", h = "00", mi = "00", s = "00", , sign, oh = "00", om = "00"] = m;
  const offset = sign === undefined ? "Z" : `${sign}${oh}:${om}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

async function openPdf(data: Uint8Array): Promise<PdfDocument> {
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given and refuses Node Buffers: hand it a plain
    // Uint8Array copy, never the caller's bytes (Buffer#slice would not even copy).
    return await getDocumentProxy(new Uint8Array(data), {
      verbosity: 0,
      isEvalSupported: false,
      stopAtErrors: false,
    });
  } catch (error) {
    if (errorName(error) === "PasswordException") {
      throw new RagKitError(
        "invalid_input",
        "PDF is encrypted: it needs a password to open, so its text cannot be read.",
        {
          cause: error,
        },
      );
    }
    throw new RagKitError("invalid_input", `Not a readable PDF: ${errorMessage(error)}`, { cause: error });
  }
}

async function pageText(pdf: PdfDocument, pageNumber: number): Promise<string> {
  const page = await pdf.getPage(pageNumber);
  try {
    const content = await page.getTextContent();
    let text = "";
    for (const item of content.items) {
      // Same joining as unpdf's extractText: item strings, with a newline where pdf.js saw the line end.
      if ("str" in item) text += item.hasEOL ? `${item.str}\n` : item.str;
    }
    return text.trimEnd();
  } finally {
    page.cleanup();
  }
}

/**
 * PDF via unpdf (a serverless build of pdf.js). The page count is checked before any page is read, so an
 * oversized PDF is refused after parsing only its cross-reference table and page tree; the abort signal is
 * checked between pages.
 */
export async function loadPdf(data: Uint8Array, options: PdfOptions): Promise<ExtractedContent> {
  throwIfAborted(options.signal);
  const pdf = await openPdf(data);
  try {
    const pageCount = pdf.numPages;
    if (pageCount > options.maxPages) {
      throw new RagKitError(
        "too_large",
        `PDF has ${pageCount} pages, more than the maxPages limit of ${options.maxPages}.`,
      );
    }
    throwIfAborted(options.signal);

    const metadata: Record<string, unknown> = { pageCount };
    let title: string | null = null;
    let titleSource: string | null = null;
    try {
      const meta = await pdf.getMetadata();
      const info = (meta.info ?? {}) as Record<string, unknown>;
      title = cleanTitle(info.Title);
      if (title !== null) titleSource = "pdf-info";
      else {
        title = cleanTitle(meta.metadata?.get("dc:title"));
        if (title !== null) titleSource = "pdf-xmp";
      }
      const author = cleanTitle(info.Author);
      const subject = cleanTitle(info.Subject);
      const keywords = cleanTitle(info.Keywords);
      const producer = cleanTitle(info.Producer);
      const creator = cleanTitle(info.Creator);
      const createdAt = parsePdfDate(info.CreationDate);
      const modifiedAt = parsePdfDate(info.ModDate);
      if (author !== null) metadata.author = author;
      if (subject !== null) metadata.subject = subject;
      if (keywords !== null) metadata.keywords = keywords;
      if (creator !== null) metadata.creator = creator;
      if (producer !== null) metadata.producer = producer;
      if (createdAt !== null) metadata.createdAt = createdAt;
      if (modifiedAt !== null) metadata.modifiedAt = modifiedAt;
      if (typeof info.PDFFormatVersion === "string") metadata.pdfVersion = info.PDFFormatVersion;
    } catch {
      // A broken Info dictionary or XMP packet is not a reason to drop the document's text.
    }

    const pieces: string[] = [];
    const pages: PageSpan[] = [];
    let offset = 0;
    for (let pageNumber = 1; pageNumber <= pageCount; pageNumber++) {
      throwIfAborted(options.signal);
      let text: string;
      try {
        text = await pageText(pdf, pageNumber);
      } catch (error) {
        throw new RagKitError(
          "invalid_input",
          `Not a readable PDF: page ${pageNumber}: ${errorMessage(error)}`,
          {
            cause: error,
          },
        );
      }
      if (pageNumber > 1) {
        pieces.push(PAGE_SEPARATOR);
        offset += PAGE_SEPARATOR.length;
      }
      pieces.push(text);
      pages.push({ pageNumber, start: offset, end: offset + text.length });
      offset += text.length;
    }
    throwIfAborted(options.signal);
    return { text: pieces.join(""), pages, sections: [], title, titleSource, metadata };
  } finally {
    await pdf.destroy();
  }
}

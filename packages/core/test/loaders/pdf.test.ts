import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadDocument, PAGE_SEPARATOR } from "../../src/ingest/loaders/index.js";
import { parsePdfDate } from "../../src/ingest/loaders/pdf.js";
import { expectRagKitError, fixture } from "./helpers.js";

/**
 * unpdf is wrapped so the tests can see how many pages the loader actually asked pdf.js for, and can hook
 * into the page loop (to abort between pages).
 */
const probe = vi.hoisted(() => ({
  getPageCalls: 0,
  onGetPage: null as ((pageNumber: number) => void) | null,
}));

vi.mock("unpdf", async (importOriginal) => {
  const actual = await importOriginal<typeof import("unpdf")>();
  return {
    ...actual,
    getDocumentProxy: async (...args: Parameters<typeof actual.getDocumentProxy>) => {
      const pdf = await actual.getDocumentProxy(...args);
      const getPage = pdf.getPage.bind(pdf);
      pdf.getPage = (pageNumber: number) => {
        probe.getPageCalls++;
        probe.onGetPage?.(pageNumber);
        return getPage(pageNumber);
      };
      return pdf;
    },
  };
});

afterEach(() => {
  probe.getPageCalls = 0;
  probe.onGetPage = null;
});

const PAGE_TEXTS = [
  "Page one talks about aardvarks.\nAardvarks dig burrows at night.",
  "Page two talks about bumblebees.\nBumblebees pollinate tomatoes.",
  "Page three talks about cormorants.\nCormorants dive for fish.",
];

describe("PDF loader", () => {
  it("extracts the text of each page with exact page spans, the Info title and metadata", async () => {
    const doc = await loadDocument({ data: fixture("sample.pdf"), filename: "sample.pdf" });

    expect(doc.kind).toBe("pdf");
    expect(doc.mimeType).toBe("application/pdf");
    expect(doc.title).toBe("RagKit Loader Fixture");
    expect(doc.text).toBe(PAGE_TEXTS.join(PAGE_SEPARATOR));
    expect(doc.pages.map((p) => p.pageNumber)).toEqual([1, 2, 3]);
    doc.pages.forEach((page, i) => {
      expect(doc.text.slice(page.start, page.end)).toBe(PAGE_TEXTS[i]);
    });
    // Spans are ordered and separated by exactly the page separator.
    expect(doc.pages[0]!.start).toBe(0);
    expect(doc.text.slice(doc.pages[0]!.end, doc.pages[1]!.start)).toBe(PAGE_SEPARATOR);
    expect(doc.text.slice(doc.pages[1]!.end, doc.pages[2]!.start)).toBe(PAGE_SEPARATOR);
    expect(doc.pages[2]!.end).toBe(doc.text.length);
    expect(doc.sections).toEqual([]);

    expect(doc.metadata).toMatchObject({
      type: "pdf",
      filename: "sample.pdf",
      sizeBytes: fixture("sample.pdf").byteLength,
      pageCount: 3,
      title: "RagKit Loader Fixture",
      titleSource: "pdf-info",
      author: "RagKit Tests",
      subject: "Three pages with distinct text",
      createdAt: "2024-01-02T03:04:05.000Z",
      modifiedAt: "2024-01-02T03:04:05.000Z",
    });
    expect(probe.getPageCalls).toBe(3);
  });

  it("never detaches or modifies the caller's buffer (pdf.js transfers what it is given)", async () => {
    const original = fixture("sample.pdf");
    const asBuffer = Buffer.from(original);
    const asArray = new Uint8Array(original);
    await loadDocument({ data: asBuffer, filename: "a.pdf" });
    await loadDocument({ data: asArray, filename: "b.pdf" });
    expect(asBuffer.byteLength).toBe(original.byteLength);
    expect(asArray.byteLength).toBe(original.byteLength);
    expect(Buffer.compare(asBuffer, original)).toBe(0);
    expect(Buffer.compare(Buffer.from(asArray), original)).toBe(0);
  });

  it("loads a PDF that only has an owner (permissions) password, since anyone can open it", async () => {
    const doc = await loadDocument({
      data: fixture("permissions-only.pdf"),
      filename: "permissions-only.pdf",
    });
    expect(doc.text).toBe(PAGE_TEXTS.join(PAGE_SEPARATOR));
    expect(doc.metadata.pageCount).toBe(3);
  });

  it("rejects a PDF that needs a password with invalid_input 'PDF is encrypted'", async () => {
    const error = await expectRagKitError(
      loadDocument({ data: fixture("encrypted.pdf"), filename: "encrypted.pdf" }),
      "invalid_input",
      /^PDF is encrypted/,
    );
    expect((error.cause as Error).name).toBe("PasswordException");
    expect(probe.getPageCalls).toBe(0);
  });

  it("rejects a corrupt PDF with invalid_input 'not a readable PDF'", async () => {
    await expectRagKitError(
      loadDocument({ data: fixture("corrupt.pdf"), filename: "corrupt.pdf" }),
      "invalid_input",
      /^Not a readable PDF: Invalid PDF structure/,
    );
  });

  it("refuses more pages than maxPages before reading any page", async () => {
    await expectRagKitError(
      loadDocument({ data: fixture("sample.pdf"), filename: "sample.pdf" }, { maxPages: 2 }),
      "too_large",
      /^PDF has 3 pages, more than the maxPages limit of 2\.$/,
    );
    expect(probe.getPageCalls).toBe(0);
    // The limit is inclusive.
    await expect(loadDocument({ data: fixture("sample.pdf") }, { maxPages: 3 })).resolves.toMatchObject({
      kind: "pdf",
    });
  });

  describe("a 10,000-page PDF", () => {
    let huge: Uint8Array;
    beforeAll(async () => {
      const pdf = await PDFDocument.create();
      const font = await pdf.embedFont(StandardFonts.Helvetica);
      for (let i = 1; i <= 10_000; i++) {
        const page = pdf.addPage([200, 100]);
        // Every page has text, so extracting them all would be slow and visible in getPage calls.
        if (i % 100 === 1) page.drawText(`page ${i}`, { x: 10, y: 50, size: 10, font });
      }
      huge = await pdf.save();
    }, 120_000);

    it("fails fast with too_large, reading no page and allocating little", async () => {
      const heapBefore = process.memoryUsage().heapUsed;
      await expectRagKitError(
        loadDocument({ data: huge, filename: "huge.pdf" }),
        "too_large",
        /^PDF has 10000 pages, more than the maxPages limit of 2000\.$/,
      );
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;

      expect(probe.getPageCalls).toBe(0);
      // Only the xref table and page tree were parsed (~10 MB measured); the document is ~0.3 MB.
      expect(heapGrowth).toBeLessThan(150 * 1024 * 1024);
      expect(huge.byteLength).toBeLessThan(2 * 1024 * 1024);
    });
  });

  describe("abort signal", () => {
    it("rejects with 'aborted' when the signal is already aborted, before opening the PDF", async () => {
      const controller = new AbortController();
      controller.abort(new Error("user went away"));
      const error = await expectRagKitError(
        loadDocument({ data: fixture("sample.pdf") }, { signal: controller.signal }),
        "aborted",
        /aborted/,
      );
      expect((error.cause as Error).message).toBe("user went away");
      expect(probe.getPageCalls).toBe(0);
    });

    it("checks the signal between pages", async () => {
      const controller = new AbortController();
      probe.onGetPage = (pageNumber) => {
        if (pageNumber === 1) controller.abort();
      };
      await expectRagKitError(
        loadDocument({ data: fixture("sample.pdf") }, { signal: controller.signal }),
        "aborted",
        /aborted/,
      );
      // Page 1 was already requested when the signal fired; page 2 never was.
      expect(probe.getPageCalls).toBe(1);
    });
  });
});

describe("parsePdfDate", () => {
  it("converts PDF date strings to ISO 8601", () => {
    expect(parsePdfDate("D:20240102030405Z")).toBe("2024-01-02T03:04:05.000Z");
    expect(parsePdfDate("D:20240102030405+01'30'")).toBe("2024-01-02T01:34:05.000Z");
    expect(parsePdfDate("D:2024")).toBe("2024-01-01T00:00:00.000Z");
    expect(parsePdfDate("yesterday")).toBeNull();
    expect(parsePdfDate(undefined)).toBeNull();
  });
});

import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { declaredKind, detectDocumentType, looksLikeHtml } from "../../src/ingest/loaders/detect.js";
import { loadDocument } from "../../src/ingest/loaders/index.js";
import { decodeText, firstInvalidUtf8Offset } from "../../src/ingest/loaders/text.js";
import { expectRagKitError, fixture } from "./helpers.js";

const LIMITS = { maxDecompressedBytes: 32 * 1024 * 1024 };
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

describe("plain text", () => {
  it("returns the exact text with the BOM stripped and no sections", async () => {
    const doc = await loadDocument({
      data: fixture("sample.txt"),
      filename: "sample.txt",
      uploadedBy: "ada",
    });
    expect(doc.kind).toBe("text");
    expect(doc.mimeType).toBe("text/plain");
    expect(doc.text).toBe(
      "Plain text fixture.\nUnicode: café, naïve, 日本語, emoji 🙂.\r\nSecond paragraph after CRLF.\n",
    );
    expect(doc.sections).toEqual([]);
    expect(doc.pages).toEqual([]);
    expect(doc.title).toBe("sample.txt");
    expect(doc.metadata).toMatchObject({
      type: "text",
      filename: "sample.txt",
      sizeBytes: 100,
      title: "sample.txt",
      titleSource: "filename",
      uploadedBy: "ada",
    });
    expect(doc.metadata.encoding).toBeUndefined();
  });

  it("rejects invalid UTF-8 in a .txt with invalid_input, naming the byte", async () => {
    await expectRagKitError(
      loadDocument({ data: fixture("invalid-utf8.txt"), filename: "invalid-utf8.txt" }),
      "invalid_input",
      /^"invalid-utf8\.txt" is declared as plain text but its content is not valid UTF-8 text \(invalid byte sequence at byte 3\); convert it to UTF-8 first\.$/,
    );
  });

  it("rejects binary content with a .txt extension with invalid_input", async () => {
    await expectRagKitError(
      loadDocument({ data: fixture("binary.txt"), filename: "binary.txt" }),
      "invalid_input",
      /^"binary\.txt" is declared as plain text but its content is binary data \(detected: png\)\.$/,
    );
  });

  it("rejects valid UTF-8 that contains NUL or many control bytes", async () => {
    await expectRagKitError(
      loadDocument({ data: utf8("abc\u0000def"), filename: "nul.txt" }),
      "invalid_input",
      /content is binary data \(it contains a NUL character at offset 3\)/,
    );
    await expectRagKitError(
      loadDocument({ data: utf8("ab\u0001\u0002\u0003cd"), filename: "ctl.md" }),
      "invalid_input",
      /declared as Markdown but its content is binary data \(it contains 3 binary control characters\)/,
    );
  });

  it("accepts tabs, form feeds, ANSI escapes and a rare stray control character", async () => {
    const log = `\u001b[32mok\u001b[0m\tdone\f\n${"x".repeat(5000)}\u0007`;
    const doc = await loadDocument({ data: utf8(log), filename: "build.log" });
    expect(doc.kind).toBe("text");
    expect(doc.text).toBe(log);
  });

  it("rejects an empty file with invalid_input", async () => {
    await expectRagKitError(
      loadDocument({ data: fixture("empty.txt"), filename: "empty.txt" }),
      "invalid_input",
      /^Document is empty \(0 bytes\)\.$/,
    );
  });

  it("decodes UTF-16 with a BOM and records the encoding", async () => {
    const le = new Uint8Array([0xff, 0xfe, ...Buffer.from("Hé 🙂", "utf16le")]);
    const be = new Uint8Array(Buffer.from("Hé 🙂", "utf16le").swap16());
    const doc = await loadDocument({ data: le, filename: "notepad.txt" });
    expect(doc.text).toBe("Hé 🙂");
    expect(doc.metadata.encoding).toBe("utf-16le");
    const beDoc = await loadDocument({ data: new Uint8Array([0xfe, 0xff, ...be]), filename: "mac.txt" });
    expect(beDoc.text).toBe("Hé 🙂");
    expect(beDoc.metadata.encoding).toBe("utf-16be");
  });
});

describe("type detection", () => {
  it("lets content decide binary formats whatever the (generic) MIME type says", async () => {
    const doc = await loadDocument({ data: fixture("sample.pdf"), mimeType: "application/octet-stream" });
    expect(doc.kind).toBe("pdf");
    const docx = await loadDocument({ data: fixture("sample.docx") });
    expect(docx.kind).toBe("docx");
    // No filename at all: the title falls back to metadata or headings, never to a made-up name.
    expect(docx.metadata.filename).toBeUndefined();
  });

  it("rejects a .pdf that is not a PDF with invalid_input", async () => {
    await expectRagKitError(
      loadDocument({ data: utf8("just some text"), filename: "report.pdf" }),
      "invalid_input",
      /^"report\.pdf" is not a PDF: it does not start with a %PDF- header \(content: text\)\.$/,
    );
    await expectRagKitError(
      loadDocument({ data: fixture("binary.txt"), filename: "image.pdf" }),
      "invalid_input",
      /is not a PDF: .*\(content: binary data \(detected: png\)\)/,
    );
  });

  it("rejects content that contradicts the declared type with invalid_input", async () => {
    await expectRagKitError(
      loadDocument({ data: fixture("sample.pdf"), filename: "notes.txt" }),
      "invalid_input",
      /^"notes\.txt" is declared as plain text but its content is a PDF document\.$/,
    );
    await expectRagKitError(
      loadDocument({ data: fixture("sample.docx"), filename: "report.pdf" }),
      "invalid_input",
      /^"report\.pdf" is declared as PDF but its content is a Word \(DOCX\) document\.$/,
    );
    await expectRagKitError(
      loadDocument({ data: fixture("sample.pdf"), mimeType: "text/html" }),
      "invalid_input",
      /^The document is declared as HTML but its content is a PDF document\.$/,
    );
  });

  it("rejects unknown binary content as unsupported_type", async () => {
    await expectRagKitError(
      loadDocument({ data: fixture("binary.txt").subarray(0, 40) }),
      "unsupported_type",
      /^Unsupported document type: the content is binary data \(detected: png\) \(supported: PDF, DOCX, Markdown, HTML, plain text \(UTF-8\)\)\.$/,
    );
    await expectRagKitError(
      loadDocument({ data: fixture("invalid-utf8.txt"), filename: "legacy.dat" }),
      "unsupported_type",
      /"legacy\.dat" is not valid UTF-8 text \(invalid byte sequence at byte 3\)/,
    );
    const zip = zipSync({ "a.txt": strToU8("a") });
    await expectRagKitError(
      loadDocument({ data: zip, filename: "a.zip" }),
      "unsupported_type",
      /a ZIP archive/,
    );
  });

  it('does not trust weak magic numbers for text ("MZ", "BM" are words too)', async () => {
    const doc = await loadDocument({ data: utf8("MZ is a postcode prefix. BM too.") });
    expect(doc.kind).toBe("text");
  });

  it("uses the extension first, then the MIME type, then HTML sniffing", () => {
    expect(declaredKind("notes.md", "text/plain")).toBe("markdown");
    expect(declaredKind("C:\\docs\\Report.PDF", undefined)).toBe("pdf");
    expect(declaredKind("data.bin", "text/markdown; charset=UTF-8")).toBe("markdown");
    expect(declaredKind("README", "application/octet-stream")).toBeNull();
    expect(declaredKind(".md", undefined)).toBeNull();
    expect(declaredKind("page.htm", undefined)).toBe("html");

    const html = detectDocumentType({ data: utf8("  <HTML lang=en><p>x") }, LIMITS);
    expect(html.kind).toBe("html");
    const plain = detectDocumentType({ data: utf8("<p>fragment without html tag</p>") }, LIMITS);
    expect(plain.kind).toBe("text");
    const unknownExt = detectDocumentType({ data: utf8("a,b\n1,2\n"), filename: "table.csv" }, LIMITS);
    expect(unknownExt).toMatchObject({ kind: "text", mimeType: "text/plain" });
    expect(looksLikeHtml("<!doctype html>")).toBe(true);
    expect(looksLikeHtml("text <html>")).toBe(false);
  });

  it("finds a PDF header preceded by junk, as pdf.js does", () => {
    const pdf = fixture("sample.pdf");
    const prefixed = new Uint8Array(16 + pdf.length);
    prefixed.set(utf8("junk before pdf\n"), 0);
    prefixed.set(pdf, 16);
    expect(detectDocumentType({ data: prefixed, filename: "x.pdf" }, LIMITS).kind).toBe("pdf");
    // Only for a declared PDF: text that merely mentions the header stays text.
    const mention = utf8("# PDF notes\n\nEvery file starts with %PDF-1.7.\n");
    expect(detectDocumentType({ data: mention, filename: "notes.md" }, LIMITS).kind).toBe("markdown");
    expect(detectDocumentType({ data: mention }, LIMITS).kind).toBe("text");
  });
});

describe("decodeText", () => {
  it("locates the first invalid UTF-8 sequence", () => {
    expect(firstInvalidUtf8Offset(utf8("héllo"))).toBeNull();
    expect(firstInvalidUtf8Offset(new Uint8Array([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(firstInvalidUtf8Offset(new Uint8Array([0x61, 0x62, 0xed, 0xa0, 0x80]))).toBe(2); // surrogate
    expect(firstInvalidUtf8Offset(new Uint8Array([0x61, 0xe2, 0x82]))).toBe(1); // truncated
    expect(firstInvalidUtf8Offset(new Uint8Array([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // > U+10FFFF
  });

  it("strips a UTF-8 BOM but keeps a BOM-like character later in the text", () => {
    const result = decodeText(utf8("\uFEFFa\uFEFFb"));
    expect(result).toEqual({ ok: true, text: "a\uFEFFb", encoding: "utf-8", hadBom: true });
  });
});

import * as docx from "docx";
import { strToU8, unzipSync, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultMaxDecompressedBytes, loadDocument } from "../../src/ingest/loaders/index.js";
import { inspectZip, MAX_ZIP_ENTRIES } from "../../src/ingest/loaders/zip.js";
import {
  buildZip,
  deflatedEntry,
  expectRagKitError,
  fixture,
  type RawZipEntry,
  storedEntry,
  zeroBombEntry,
} from "./helpers.js";

const EXPECTED_TEXT = [
  "Introduction",
  "RagKit loads Word documents into plain text.",
  "Each paragraph is separated by a blank line.",
  "Background",
  "Mammoth converts the document to HTML first.",
  "Scope",
  "Headings become sections\nTables become rows",
  "Format | Loader\nDOCX | mammoth",
  "Usage",
  "Call loadDocument with the bytes.",
].join("\n\n");

/** The fixture's parts as raw entries, to rebuild variants of it. */
function fixtureEntries(): RawZipEntry[] {
  return Object.entries(unzipSync(fixture("sample.docx"))).map(([name, data]) => deflatedEntry(name, data));
}

async function docxWithoutTitle(): Promise<Uint8Array> {
  const doc = new docx.Document({
    sections: [
      {
        children: [
          new docx.Paragraph("A preamble paragraph without a heading style."),
          new docx.Paragraph({ text: "Only a second-level heading", heading: docx.HeadingLevel.HEADING_2 }),
          new docx.Paragraph("Body."),
          new docx.Paragraph({ text: "Deep", heading: docx.HeadingLevel.HEADING_4 }),
          new docx.Paragraph("Deeper body."),
        ],
      },
    ],
  });
  return new Uint8Array(await docx.Packer.toBuffer(doc));
}

describe("DOCX loader", () => {
  it("turns Heading 1 / Heading 2 into sections and keeps paragraphs separated by blank lines", async () => {
    const doc = await loadDocument({ data: fixture("sample.docx"), filename: "sample.docx" });

    expect(doc.kind).toBe("docx");
    expect(doc.mimeType).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(doc.text).toBe(EXPECTED_TEXT);
    expect(doc.pages).toEqual([]);
    expect(doc.sections.map((s) => [s.title, s.level])).toEqual([
      ["Introduction", 1],
      ["Background", 2],
      ["Scope", 2],
      ["Usage", 1],
    ]);
    const [intro, background, scope, usage] = doc.sections;
    for (const section of doc.sections) {
      expect(doc.text.slice(section.start, section.start + section.title.length)).toBe(section.title);
    }
    expect(doc.text.slice(intro!.start, intro!.end)).toBe(
      EXPECTED_TEXT.slice(0, EXPECTED_TEXT.indexOf("Usage")),
    );
    expect(doc.text.slice(background!.start, background!.end)).toBe(
      "Background\n\nMammoth converts the document to HTML first.\n\n",
    );
    expect(doc.text.slice(scope!.start, scope!.end)).toBe(
      "Scope\n\nHeadings become sections\nTables become rows\n\nFormat | Loader\nDOCX | mammoth\n\n",
    );
    // Heading 2 sections nest inside their Heading 1; the last section runs to the end.
    expect(background!.start).toBeGreaterThan(intro!.start);
    expect(scope!.end).toBe(intro!.end);
    expect(usage!.start).toBe(intro!.end);
    expect(usage!.end).toBe(doc.text.length);

    expect(doc.title).toBe("Loader Handbook");
    expect(doc.metadata).toMatchObject({
      type: "docx",
      title: "Loader Handbook",
      titleSource: "docx-core",
      author: "RagKit Tests",
      description: "DOCX fixture with Heading 1 / Heading 2",
      createdAt: "2024-01-02T03:04:05Z",
      filename: "sample.docx",
    });
  });

  it("takes the title from the first heading when core.xml has none", async () => {
    const doc = await loadDocument({ data: await docxWithoutTitle(), filename: "untitled.docx" });
    expect(doc.title).toBe("Only a second-level heading");
    expect(doc.metadata.titleSource).toBe("heading");
    expect(doc.sections.map((s) => [s.title, s.level])).toEqual([
      ["Only a second-level heading", 2],
      ["Deep", 4],
    ]);
    expect(
      doc.text.startsWith("A preamble paragraph without a heading style.\n\nOnly a second-level heading"),
    ).toBe(true);
    expect(doc.sections[1]!.end).toBe(doc.text.length);
  });

  it("loads a DOCX with an image without reading the image", async () => {
    const png = new Uint8Array(
      Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "base64",
      ),
    );
    const doc = new docx.Document({
      sections: [
        {
          children: [
            new docx.Paragraph({
              children: [
                new docx.TextRun("Before "),
                new docx.ImageRun({ type: "png", data: png, transformation: { width: 10, height: 10 } }),
                new docx.TextRun(" after"),
              ],
            }),
          ],
        },
      ],
    });
    const bytes = new Uint8Array(await docx.Packer.toBuffer(doc));
    expect(Object.keys(unzipSync(bytes))).toContain("word/media/image1.png");
    const loaded = await loadDocument({ data: bytes, filename: "picture.docx" });
    expect(loaded.text).toBe("Before after");
  });

  it("rejects a .docx that is not a ZIP archive with invalid_input", async () => {
    await expectRagKitError(
      loadDocument({ data: fixture("not-a-zip.docx"), filename: "not-a-zip.docx" }),
      "invalid_input",
      /^"not-a-zip\.docx" is not a Word document: a DOCX is a ZIP archive, this is text\.$/,
    );
  });

  it("rejects a ZIP without word/document.xml named .docx with invalid_input", async () => {
    const zip = zipSync({ "readme.txt": strToU8("hello") });
    await expectRagKitError(
      loadDocument({ data: zip, filename: "fake.docx" }),
      "invalid_input",
      /is not a Word document: it is a ZIP archive without word\/document\.xml/,
    );
  });

  it("rejects other ZIP-based formats as unsupported_type, naming them", async () => {
    const xlsx = zipSync({
      "[Content_Types].xml": strToU8("<Types/>"),
      "xl/workbook.xml": strToU8("<workbook/>"),
    });
    await expectRagKitError(loadDocument({ data: xlsx }), "unsupported_type", /an Excel workbook \(\.xlsx\)/);
  });

  it("reports an archive that lies about a part's size as unreadable instead of inflating past it", async () => {
    const entries = fixtureEntries().map((e) =>
      e.name === "word/document.xml" ? { ...e, uncompressedSize: 200 } : e,
    );
    await expectRagKitError(
      loadDocument({ data: buildZip(entries), filename: "liar.docx" }),
      "invalid_input",
      /^Not a readable DOCX: /,
    );
  });

  it("rejects a part with a corrupt deflate stream with invalid_input", async () => {
    const entries = fixtureEntries().map((e) =>
      e.name === "word/document.xml" ? { ...e, payload: new Uint8Array([0xff, 0xff, 0xff, 0xff]) } : e,
    );
    await expectRagKitError(
      loadDocument({ data: buildZip(entries), filename: "broken.docx" }),
      "invalid_input",
      /^Corrupt ZIP archive: /,
    );
  });

  describe("decompression bounds (checked on the central directory, before inflating)", () => {
    let bomb: Uint8Array;
    beforeAll(async () => {
      // A valid DOCX skeleton plus 300 MiB of zeros: ~300 KiB on disk, built without holding 300 MiB.
      bomb = buildZip([...fixtureEntries(), await zeroBombEntry("word/media/bomb.bin", 300)]);
    }, 60_000);

    it("refuses a zip bomb with too_large without decompressing it", async () => {
      expect(bomb.byteLength).toBeLessThan(1024 * 1024);
      const buffersBefore = process.memoryUsage().arrayBuffers;
      const error = await expectRagKitError(
        loadDocument({ data: bomb, filename: "bomb.docx" }),
        "too_large",
        /^Archive decompressed size exceeds the limit: its entries declare more than 32\.0 MiB uncompressed/,
      );
      expect(error.message).toContain(`maxDecompressedBytes = ${32 * 1024 * 1024}`);
      expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(64 * 1024 * 1024);
    });

    it("refuses it even with a 200 MiB bound", async () => {
      await expectRagKitError(
        loadDocument({ data: bomb, filename: "bomb.docx" }, { maxDecompressedBytes: 200 * 1024 * 1024 }),
        "too_large",
        /decompressed size exceeds the limit: its entries declare more than 200\.0 MiB/,
      );
    });

    it("refuses an entry with an absurd compression ratio even when the total is within the bound", async () => {
      await expectRagKitError(
        loadDocument({ data: bomb, filename: "bomb.docx" }, { maxDecompressedBytes: 1024 * 1024 * 1024 }),
        "too_large",
        /entry "word\/media\/bomb\.bin" expands .* \(ratio \d+:1, limit 500:1\); this looks like a decompression bomb/,
      );
    });

    it("applies maxDecompressedBytes to ordinary documents too", async () => {
      await expectRagKitError(
        loadDocument(
          { data: fixture("sample.docx"), filename: "sample.docx" },
          { maxDecompressedBytes: 10_000 },
        ),
        "too_large",
        /declare more than 9\.8 KiB uncompressed \(maxDecompressedBytes = 10000\)/,
      );
    });

    it("refuses archives with more entries than any DOCX has", async () => {
      const empty = new Uint8Array(0);
      const entries = [...fixtureEntries()];
      for (let i = 0; entries.length <= MAX_ZIP_ENTRIES; i++)
        entries.push(storedEntry(`word/x/${i}.xml`, empty));
      await expectRagKitError(
        loadDocument({ data: buildZip(entries), filename: "many.docx" }),
        "too_large",
        /more than 10000 entries/,
      );
    });
  });

  it("defaults the decompression bound to 100× the input, clamped to [32 MiB, 200 MiB]", () => {
    const MiB = 1024 * 1024;
    expect(defaultMaxDecompressedBytes(10_000)).toBe(32 * MiB);
    expect(defaultMaxDecompressedBytes(1 * MiB)).toBe(100 * MiB);
    expect(defaultMaxDecompressedBytes(50 * MiB)).toBe(200 * MiB);
  });

  it("inspectZip lists the central directory without inflating", () => {
    const entries = inspectZip(fixture("sample.docx"), { maxDecompressedBytes: 1024 * 1024 });
    const documentXml = entries.find((e) => e.name === "word/document.xml");
    expect(documentXml).toMatchObject({ compression: 8 });
    expect(documentXml!.uncompressedSize).toBeGreaterThan(documentXml!.compressedSize);
  });
});

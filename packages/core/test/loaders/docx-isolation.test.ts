import * as docx from "docx";
import { unzipSync } from "fflate";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadDocument } from "../../src/ingest/loaders/index.js";
import { inspectZip } from "../../src/ingest/loaders/zip.js";
import { buildZip, deflatedEntry, fixture } from "./helpers.js";

/** Records what the loader hands to mammoth. */
const seen = vi.hoisted(() => ({ inputs: [] as Uint8Array[] }));

vi.mock("mammoth", async (importOriginal) => {
  const actual = (await importOriginal<{ default: typeof import("mammoth") }>()).default;
  const wrapped = {
    ...actual,
    convertToHtml: (input: { buffer: Buffer }, options?: Parameters<typeof actual.convertToHtml>[1]) => {
      seen.inputs.push(new Uint8Array(input.buffer));
      return actual.convertToHtml(input, options);
    },
  };
  return { default: wrapped };
});

afterEach(() => {
  seen.inputs = [];
});

describe("DOCX isolation from mammoth's own unzip", () => {
  it("hands mammoth a stored (uncompressed) archive of only the XML parts", async () => {
    const png = new Uint8Array(
      Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "base64",
      ),
    );
    const source = new docx.Document({
      sections: [
        {
          children: [
            new docx.Paragraph({ text: "Pictures", heading: docx.HeadingLevel.HEADING_1 }),
            new docx.Paragraph({
              children: [
                new docx.ImageRun({ type: "png", data: png, transformation: { width: 5, height: 5 } }),
              ],
            }),
          ],
        },
      ],
    });
    const bytes = new Uint8Array(await docx.Packer.toBuffer(source));
    const doc = await loadDocument({ data: bytes, filename: "pictures.docx" });
    expect(doc.text).toBe("Pictures");

    expect(seen.inputs).toHaveLength(1);
    const given = inspectZip(seen.inputs[0]!, { maxDecompressedBytes: 1024 * 1024 });
    expect(given.length).toBeGreaterThan(5);
    for (const entry of given) {
      expect(entry.compression, entry.name).toBe(0);
      expect(entry.name, entry.name).toMatch(/\.(xml|rels)$/);
    }
    expect(given.map((e) => e.name)).not.toContain("word/media/image1.png");
  });

  it("never lets mammoth inflate past a part's declared size", async () => {
    const entries = Object.entries(unzipSync(fixture("sample.docx"))).map(([name, data]) => {
      const entry = deflatedEntry(name, data);
      return name === "word/document.xml" ? { ...entry, uncompressedSize: 1000 } : entry;
    });
    await expect(loadDocument({ data: buildZip(entries), filename: "liar.docx" })).rejects.toMatchObject({
      code: "invalid_input",
    });
    // mammoth received the part *stored*, truncated to the 1000 bytes the archive declared.
    expect(seen.inputs).toHaveLength(1);
    const given = inspectZip(seen.inputs[0]!, { maxDecompressedBytes: 1024 * 1024 });
    expect(given.find((e) => e.name === "word/document.xml")).toEqual({
      name: "word/document.xml",
      compression: 0,
      compressedSize: 1000,
      uncompressedSize: 1000,
    });
    const original = unzipSync(fixture("sample.docx"))["word/document.xml"]!;
    const part = unzipSync(seen.inputs[0]!)["word/document.xml"]!;
    expect(Buffer.compare(Buffer.from(part), Buffer.from(original.subarray(0, 1000)))).toBe(0);
  });
});

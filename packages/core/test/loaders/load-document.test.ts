import { readdirSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors/index.js";
import { DEFAULT_MAX_BYTES, type LoadDocumentInput, loadDocument } from "../../src/ingest/loaders/index.js";
import { expectRagKitError, fixture, fixturePath } from "./helpers.js";

/** Everything scripts/make-fixtures.mjs writes. */
const LOADER_FIXTURES = [
  "sample.pdf",
  "encrypted.pdf",
  "permissions-only.pdf",
  "corrupt.pdf",
  "sample.docx",
  "not-a-zip.docx",
  "sample.md",
  "sample.html",
  "sample.txt",
  "invalid-utf8.txt",
  "binary.txt",
  "empty.txt",
];
const LOADABLE = [
  "sample.pdf",
  "permissions-only.pdf",
  "sample.docx",
  "sample.md",
  "sample.html",
  "sample.txt",
];

describe("loadDocument", () => {
  it("refuses input over maxBytes with too_large before parsing it", async () => {
    // Garbage named .pdf: had it been parsed, this would be invalid_input ("not a PDF").
    const garbage = new Uint8Array(2 * 1024 * 1024).fill(0x41);
    await expectRagKitError(
      loadDocument({ data: garbage, filename: "big.pdf" }, { maxBytes: 1024 * 1024 }),
      "too_large",
      /^Document is 2\.0 MiB \(2097152 bytes\), over the maxBytes limit of 1\.0 MiB \(1048576 bytes\)\.$/,
    );
    // The limit is inclusive; the same bytes within the limit are parsed and rejected for what they are.
    await expectRagKitError(
      loadDocument({ data: garbage, filename: "big.pdf" }, { maxBytes: garbage.byteLength }),
      "invalid_input",
      /is not a PDF/,
    );
  });

  it("applies the 50 MiB default", async () => {
    expect(DEFAULT_MAX_BYTES).toBe(50 * 1024 * 1024);
    await expectRagKitError(
      loadDocument({ data: new Uint8Array(DEFAULT_MAX_BYTES + 1), filename: "huge.txt" }),
      "too_large",
      /over the maxBytes limit of 50\.0 MiB/,
    );
  });

  it("fills in the common metadata", async () => {
    const before = Date.now();
    const doc = await loadDocument({
      data: fixture("sample.md"),
      filename: "C:\\Users\\ada\\Documents\\sample.md",
      mimeType: "text/markdown",
      sourceUrl: "https://example.com/docs/sample.md",
      sourceId: "drive:123",
      uploadedBy: "user-42",
    });
    const uploadedAt = Date.parse(String(doc.metadata.uploadedAt));
    expect(uploadedAt).toBeGreaterThanOrEqual(before - 1);
    expect(uploadedAt).toBeLessThanOrEqual(Date.now());
    expect(doc.metadata.uploadedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(doc.metadata).toMatchObject({
      filename: "sample.md",
      sizeBytes: fixture("sample.md").byteLength,
      type: "markdown",
      mimeType: "text/markdown",
      sourceUrl: "https://example.com/docs/sample.md",
      sourceId: "drive:123",
      uploadedBy: "user-42",
      title: "Loader Guide",
    });
  });

  it("leaves optional metadata out instead of setting it to undefined", async () => {
    const doc = await loadDocument({ data: Buffer.from("hello") });
    expect(doc.title).toBeNull();
    expect(Object.keys(doc.metadata).sort()).toEqual(["mimeType", "sizeBytes", "type", "uploadedAt"]);
  });

  it("validates its arguments with ValidationError", async () => {
    const bad = { data: "not bytes" } as unknown as LoadDocumentInput;
    const error = await expectRagKitError(
      loadDocument(bad),
      "invalid_input",
      /^Invalid document input: data:/,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details).toEqual([{ path: "data", message: "must be a Uint8Array" }]);

    await expectRagKitError(
      loadDocument({ data: Buffer.from("x") }, { maxPages: 0 }),
      "invalid_input",
      /^Invalid load options: maxPages:/,
    );
    await expectRagKitError(
      loadDocument({ data: Buffer.from("x"), filename: "" }),
      "invalid_input",
      /^Invalid document input: filename:/,
    );
    await expectRagKitError(
      loadDocument({ data: Buffer.from("x") }, { signal: {} as AbortSignal }),
      "invalid_input",
      /signal: must be an AbortSignal/,
    );
  });

  it.each(LOADABLE)("honours an already-aborted signal (%s)", async (name) => {
    const controller = new AbortController();
    controller.abort();
    await expectRagKitError(
      loadDocument({ data: fixture(name), filename: name }, { signal: controller.signal }),
      "aborted",
      /^Document loading was aborted\.$/,
    );
  });

  it("aborts a DOCX load when the signal fires while it is running", async () => {
    const controller = new AbortController();
    const pending = loadDocument(
      { data: fixture("sample.docx"), filename: "sample.docx" },
      { signal: controller.signal },
    );
    controller.abort();
    await expectRagKitError(pending, "aborted", /aborted/);
  });

  it.each(LOADABLE)("does not modify the caller's bytes (%s)", async (name) => {
    const data = fixture(name);
    const copy = new Uint8Array(data);
    const doc = await loadDocument({ data, filename: name });
    expect(doc.text.length).toBeGreaterThan(0);
    expect(data.byteLength).toBe(copy.byteLength);
    expect(Buffer.compare(Buffer.from(data), Buffer.from(copy))).toBe(0);
  });

  it.each(LOADABLE)("returns in-bounds, ordered offsets (%s)", async (name) => {
    const doc = await loadDocument({ data: fixture(name), filename: name });
    let previousEnd = 0;
    for (const page of doc.pages) {
      expect(page.start).toBeGreaterThanOrEqual(previousEnd);
      expect(page.end).toBeGreaterThanOrEqual(page.start);
      expect(page.end).toBeLessThanOrEqual(doc.text.length);
      previousEnd = page.end;
    }
    let previousStart = -1;
    for (const section of doc.sections) {
      expect(section.start).toBeGreaterThan(previousStart);
      expect(section.end).toBeGreaterThan(section.start);
      expect(section.end).toBeLessThanOrEqual(doc.text.length);
      expect(section.level).toBeGreaterThanOrEqual(1);
      expect(section.level).toBeLessThanOrEqual(6);
      previousStart = section.start;
    }
  });

  it("keeps every loader fixture committed and under 200 KB", () => {
    const present = new Set(readdirSync(fixturePath(".")));
    for (const name of LOADER_FIXTURES) {
      expect(present.has(name), name).toBe(true);
      expect(statSync(fixturePath(name)).size, name).toBeLessThan(200 * 1024);
    }
  });
});

import { expect, test, vi } from "vitest";
import type { LoadedDocument } from "../../src/ingest/types.js";

// No import of ./helpers.js here: it loads LlamaIndex itself.
const doc = (text: string): LoadedDocument => ({
  kind: "text",
  mimeType: "text/plain",
  text,
  title: null,
  pages: [],
  sections: [],
  metadata: {},
});

test("importing the chunking module does not load LlamaIndex; the first non-empty chunkDocument call does", async () => {
  const loaded: string[] = [];
  for (const id of ["@llamaindex/core/node-parser", "@llamaindex/core/global"]) {
    vi.doMock(id, async (importOriginal) => {
      loaded.push(id);
      return importOriginal();
    });
  }
  const { chunkDocument } = await import("../../src/ingest/chunking/index.js");
  expect(loaded).toEqual([]);
  expect(await chunkDocument(doc(" \n "))).toEqual([]);
  expect(loaded).toEqual([]);

  const chunks = await chunkDocument(doc("Now LlamaIndex is needed."));
  expect(chunks.map((c) => c.text)).toEqual(["Now LlamaIndex is needed."]);
  expect([...loaded].sort()).toEqual(["@llamaindex/core/global", "@llamaindex/core/node-parser"]);

  await chunkDocument(doc("Loaded once."));
  expect(loaded).toHaveLength(2);
});

import { expect, test, vi } from "vitest";
import type { LoadedDocument } from "../../src/ingest/types.js";

// No import of ./helpers.js here: it loads the tokenizer itself.
const doc = (text: string): LoadedDocument => ({
  kind: "text",
  mimeType: "text/plain",
  text,
  title: null,
  pages: [],
  sections: [],
  metadata: {},
});

const LAZY = ["@vectorstores/core", "gpt-tokenizer/encoding/cl100k_base"];

test("importing the chunking module loads neither the splitter nor the tokenizer; the first non-empty chunkDocument call does", async () => {
  const loaded: string[] = [];
  for (const id of LAZY) {
    vi.doMock(id, async (importOriginal) => {
      loaded.push(id);
      return importOriginal();
    });
  }
  const { chunkDocument } = await import("../../src/ingest/chunking/index.js");
  expect(loaded).toEqual([]);
  expect(await chunkDocument(doc(" \n "))).toEqual([]);
  expect(loaded).toEqual([]);

  const chunks = await chunkDocument(doc("Now the splitter is needed."));
  expect(chunks.map((c) => c.text)).toEqual(["Now the splitter is needed."]);
  expect([...loaded].sort()).toEqual([...LAZY].sort());

  await chunkDocument(doc("Loaded once."));
  expect(loaded).toHaveLength(LAZY.length);
});

import { readFileSync } from "node:fs";
import { SentenceSplitter as LlamaSentenceSplitter, splitBySentenceTokenizer, splitBySep } from "llamaindex";
import { describe, expect, test } from "vitest";
import { chunkDocumentWith } from "../../src/ingest/chunking/chunk-document.js";
import { type ChunkStrategy, chunkDocument, createChunkTokenizer } from "../../src/ingest/chunking/index.js";
import type { SplitterModules } from "../../src/ingest/chunking/splitter.js";
import { loadDocument } from "../../src/ingest/loaders/index.js";
import type { LoadedDocument } from "../../src/ingest/types.js";
import { cl100kTokenizer, HashingEmbedder, makeDoc, prose, randomText, rng } from "./helpers.js";

/*
 * The splitter moved from the deprecated `@llamaindex/core` to `@vectorstores/core`. The proof that chunk
 * boundaries and offsets did not move: the whole chunkDocument pipeline (windowing, offset mapping, limits,
 * markdown sections, semantic breakpoints) runs once over the new splitter and once over LlamaIndex's own
 * (`llamaindex`, the root dev dependency, which still ships `@llamaindex/core`) with LlamaIndex's default
 * tokenizer, and every chunk must be identical.
 */

/** LlamaIndex's SentenceSplitter sizes text with `tokenizer.encode(text).length`; feed it our token sizer. */
class LlamaSplitterWithSizer extends LlamaSentenceSplitter {
  constructor(params: ConstructorParameters<SplitterModules["SentenceSplitter"]>[0]) {
    const { tokenSizer, ...rest } = params ?? {};
    super({
      ...rest,
      ...(tokenSizer
        ? { tokenizer: { encode: (text: string) => new Uint32Array(tokenSizer(text)), decode: () => "" } }
        : {}),
    });
  }
}

/**
 * LlamaIndex's own default tokenizer (its Settings.tokenizer), read through its splitter's `tokenSize` and
 * made safe like any base tokenizer (it throws on "<|endoftext|>"): counts only, which is all a size needs.
 */
const llamaSizer = new LlamaSentenceSplitter();
const llamaTokens = createChunkTokenizer({
  encode: (text) => new Uint32Array(llamaSizer.tokenSize(text)),
  decode: () => "",
});

const llamaIndexModules = async (): Promise<SplitterModules> => ({
  SentenceSplitter: LlamaSplitterWithSizer as unknown as SplitterModules["SentenceSplitter"],
  splitBySentenceTokenizer,
  splitBySep,
  defaultTokenizer: () => cl100kTokenizer,
});

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

let cached: Promise<Array<{ name: string; doc: LoadedDocument }>> | undefined;
const corpus = () => {
  cached ??= buildCorpus();
  return cached;
};

async function buildCorpus(): Promise<Array<{ name: string; doc: LoadedDocument }>> {
  const files = ["sample.txt", "sample.md", "sample.html", "sample.pdf", "sample.docx"];
  const loaded = await Promise.all(
    files.map(async (name) => ({ name, doc: await loadDocument({ data: fixture(name), filename: name }) })),
  );
  const random = rng(4242);
  const generated = Array.from({ length: 16 }, (_, i) => ({
    name: `fuzz-${i}`,
    doc: makeDoc(randomText(random), { kind: i % 2 === 0 ? "markdown" : "text" }),
  }));
  return [
    ...loaded,
    ...generated,
    { name: "prose-5000", doc: makeDoc(prose(5000, 7)) },
    // Over the 32 K window: exercises windowed splitting.
    { name: "prose-windowed", doc: makeDoc(Array.from({ length: 30 }, (_, i) => prose(600, i)).join("\n")) },
    { name: "crlf", doc: makeDoc(prose(1200, 3).replace(/\. /g, ".\r\n\r\n\r\n")) },
  ];
}

describe("the splitter swap keeps every chunk boundary and offset", () => {
  test("default token counts are LlamaIndex's (cl100k_base)", async () => {
    for (const { doc } of await corpus()) {
      const chunks = await chunkDocument(doc, { chunkSize: 256 });
      expect(chunks.length).toBeGreaterThan(0);
      for (const c of chunks) expect(c.tokenCount).toBe(llamaTokens.encode(c.text).length);
    }
  });

  const cases: Array<{ strategy: ChunkStrategy; chunkSize: number; chunkOverlap?: number }> = [
    { strategy: "sentence", chunkSize: 512, chunkOverlap: 50 },
    { strategy: "sentence", chunkSize: 64, chunkOverlap: 20 },
    { strategy: "sentence", chunkSize: 40, chunkOverlap: 0 },
    { strategy: "markdown", chunkSize: 128, chunkOverlap: 16 },
    { strategy: "semantic", chunkSize: 96 },
  ];
  test.each(cases)("$strategy, chunkSize $chunkSize, overlap $chunkOverlap: identical chunks", async (c) => {
    let total = 0;
    for (const { name, doc } of await corpus()) {
      const options = {
        strategy: c.strategy,
        chunkSize: c.chunkSize,
        ...(c.chunkOverlap === undefined ? {} : { chunkOverlap: c.chunkOverlap }),
        ...(c.strategy === "semantic" ? { embedder: new HashingEmbedder() } : {}),
      };
      const after = await chunkDocument(doc, options);
      const before = await chunkDocumentWith(llamaIndexModules, doc, options);
      expect(after, name).toEqual(before);
      total += after.length;
    }
    expect(total).toBeGreaterThan(40); // the corpus really is split, not one chunk per document
  });
});

import { describe, expect, test } from "vitest";
import { type ChunkStrategy, chunkDocument } from "../../src/ingest/chunking/index.js";
import { expectChunkInvariants, HashingEmbedder, makeDoc, randomText, rng } from "./helpers.js";

describe("chunkDocument invariants on random documents", () => {
  const strategies: ChunkStrategy[] = ["sentence", "markdown", "semantic"];
  for (let seed = 1; seed <= 24; seed++) {
    const strategy = strategies[seed % 3]!;
    test(`seed ${seed} (${strategy})`, async () => {
      const random = rng(seed * 7919);
      const text = randomText(random);
      const chunkSize = 32 + Math.floor(random() * 200);
      const chunkOverlap = Math.floor(random() * Math.min(60, chunkSize - 1));
      const doc = makeDoc(text, { kind: strategy === "markdown" ? "markdown" : "text" });
      const chunks = await chunkDocument(doc, {
        strategy,
        chunkSize,
        chunkOverlap,
        ...(strategy === "semantic" ? { embedder: new HashingEmbedder() } : {}),
      });
      expectChunkInvariants(doc, chunks, {
        chunkSize,
        chunkOverlap: strategy === "semantic" ? 0 : chunkOverlap,
      });
      expect(chunks.length).toBeGreaterThan(0);
    });
  }
});

import { describe, expect, test } from "vitest";
import { type ChunkStrategy, chunkDocument } from "../../src/ingest/chunking/index.js";
import { expectChunkInvariants, HashingEmbedder, makeDoc, rng } from "./helpers.js";

const FRAGMENTS = [
  "word",
  "Sentence ends here.",
  "Why?",
  "Wow!",
  "e.g.",
  "Dr.",
  "3.14",
  "1,000.5",
  "https://example.com/x$'y?q=$&",
  "a,,b",
  ";;",
  "...",
  "—",
  "😀",
  "👨‍👩‍👧",
  "e\u0301",
  "漢字かな。",
  "<|endoftext|>",
  "{{DELIM_0}}",
  "# Heading",
  "## Sub heading",
  "```",
  "- item",
  "| a | b |",
  "\t",
  "  ",
  "\n",
  "\r\n",
  "\n\n",
  "\n\n\n",
  "\u00a0",
  "$1",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

function randomText(random: () => number): string {
  const parts: string[] = [];
  const length = 20 + Math.floor(random() * 400);
  for (let i = 0; i < length; i++) {
    const fragment = FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]!;
    parts.push(fragment);
    if (random() < 0.7) parts.push(" ");
    if (random() < 0.05) parts.push(parts.slice(-Math.floor(random() * 20)).join("")); // repeats
  }
  return parts.join("");
}

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

import { describe, expect, test } from "vitest";
import type { Embedder } from "../../src/embeddings/types.js";
import { DimensionMismatchError, RagKitError } from "../../src/errors/index.js";
import { chunkDocument, chunkDocumentSemantic } from "../../src/ingest/chunking/index.js";
import { cosineSimilarity, percentile, semanticBreakpoints } from "../../src/ingest/chunking/semantic.js";
import { expectChunkInvariants, HashingEmbedder, makeDoc, prose } from "./helpers.js";

// Sentence ends avoid LlamaIndex.TS's abbreviation quirk: its sentence tokenizer matches abbreviations
// case-insensitively inside words, so "garlic." ("Lic."), "streams." ("Ms.") or "boiling." ("Ing.")
// do not end a sentence.
const COOKING = [
  "Boil the pasta in salted water while the tomato sauce simmers on the stove.",
  "Stir the pasta often so the pasta does not stick, and keep the sauce warm.",
  "Crush garlic into olive oil, then add tomato to make the pasta sauce.",
  "Taste the tomato sauce and season it with salt, basil and more garlic cloves.",
  "Drain the pasta, keeping a cup of pasta water for the tomato sauce.",
  "Toss the pasta with the garlic tomato sauce and a splash of pasta water.",
  "Finish the pasta with basil, olive oil and grated cheese over the sauce.",
  "Serve the pasta hot, with extra tomato sauce and garlic bread.",
];
const ASTRONOMY = [
  "The telescope points at distant galaxies full of bright stars.",
  "Galaxies hold billions of stars, and the telescope resolves their light.",
  "Planets orbit stars inside galaxies, pulled along by gravity.",
  "Astronomers use the telescope to measure how stars move through galaxies.",
  "Colliding galaxies scatter stars and planets across dark space.",
  "Every clear night the telescope records new stars, planets and galaxies.",
  "Dark matter shapes how galaxies spin, though no telescope can see it.",
  "Light from stars in far galaxies shows that the universe expands.",
];

describe("percentile and breakpoints (as LlamaIndex's SemanticSplitterNodeParser computes them)", () => {
  test("percentile interpolates linearly between ranks, like numpy", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([4, 1, 3, 2], 0)).toBe(1);
    expect(percentile([4, 1, 3, 2], 100)).toBe(4);
    expect(percentile([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBeCloseTo(9.5);
  });

  test("a boundary follows every distance strictly above the threshold", () => {
    expect(semanticBreakpoints([0.1, 0.9, 0.2, 0.1], 95)).toEqual([1]);
    expect(semanticBreakpoints([0.1, 0.9, 0.2, 0.8], 50)).toEqual([1, 3]);
    expect(semanticBreakpoints([0.5, 0.5, 0.5], 95)).toEqual([]);
    expect(semanticBreakpoints([], 95)).toEqual([]);
  });

  test("cosine similarity, with zero vectors treated as dissimilar", () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1], [-1, -1])).toBeCloseTo(-1);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
  });
});

describe("chunkDocument: semantic strategy", () => {
  const text = `${COOKING.join(" ")}\n\n${ASTRONOMY.join(" ")}`;
  const topicBoundary = text.indexOf(ASTRONOMY[0]!);

  test("the boundary falls between two clearly different topics", async () => {
    for (const bufferSize of [0, 1, 2]) {
      const embedder = new HashingEmbedder();
      const doc = makeDoc(text);
      const chunks = await chunkDocumentSemantic(doc, embedder, { bufferSize });
      expectChunkInvariants(doc, chunks, { chunkSize: 512, chunkOverlap: 0 });
      expect(chunks.map((c) => c.start)).toEqual([0, topicBoundary]);
      expect(chunks[0]!.text).toBe(COOKING.join(" "));
      expect(chunks[1]!.text).toBe(ASTRONOMY.join(" "));
      expect(chunks.every((c) => c.metadata.strategy === "semantic")).toBe(true);
    }
  });

  test("each sentence is embedded once, with bufferSize neighbours on each side, in batches", async () => {
    const sentences = [...COOKING, ...ASTRONOMY];
    const single = new HashingEmbedder();
    await chunkDocument(makeDoc(text), { embedder: single, bufferSize: 0, embedBatchSize: 5 });
    expect(single.calls.map((batch) => batch.length)).toEqual([5, 5, 5, 1]);
    expect(single.calls.flat()).toEqual(sentences);

    const windowed = new HashingEmbedder();
    await chunkDocument(makeDoc(text), { embedder: windowed, bufferSize: 1 });
    const texts = windowed.calls.flat();
    expect(texts).toHaveLength(sentences.length);
    expect(texts[0]).toBe(`${sentences[0]} ${sentences[1]}`);
    expect(texts[8]).toBe(`${sentences[7]}\n\n${sentences[8]} ${sentences[9]}`);
    expect(texts.at(-1)).toBe(`${sentences.at(-2)} ${sentences.at(-1)}`);
  });

  test("groups longer than chunkSize are sentence-split; chunks never overlap or exceed chunkSize", async () => {
    const long = prose(1500, 8);
    const doc = makeDoc(long);
    const chunks = await chunkDocument(doc, {
      strategy: "semantic",
      embedder: new HashingEmbedder(),
      chunkSize: 64,
    });
    expectChunkInvariants(doc, chunks, { chunkSize: 64, chunkOverlap: 0 });
    expect(chunks.length).toBeGreaterThan(1500 / 64);
  });

  test("a signal aborted during embedding stops further embedding calls", async () => {
    const controller = new AbortController();
    const inner = new HashingEmbedder();
    const embedder: Embedder = {
      name: inner.name,
      dimension: inner.dimension,
      // Ignores the signal, like a provider SDK without abort support: the chunker must check it itself.
      embed: async (texts) => {
        const vectors = await inner.embed(texts);
        if (inner.calls.length === 2) controller.abort();
        return vectors;
      },
    };
    const error = await chunkDocumentSemantic(makeDoc(text), embedder, {
      embedBatchSize: 2,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RagKitError);
    expect((error as RagKitError).code).toBe("aborted");
    expect(inner.calls).toHaveLength(2);
  });

  test("the signal is passed to the embedder", async () => {
    const controller = new AbortController();
    const seen: Array<AbortSignal | undefined> = [];
    const inner = new HashingEmbedder();
    const embedder: Embedder = {
      name: "spy",
      dimension: inner.dimension,
      embed: (texts, options) => {
        seen.push(options?.signal);
        return inner.embed(texts, options);
      },
    };
    await chunkDocumentSemantic(makeDoc(text), embedder, { signal: controller.signal });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((signal) => signal === controller.signal)).toBe(true);
  });

  test("an embedder returning the wrong number or size of vectors is reported", async () => {
    const tooFew: Embedder = {
      name: "few",
      dimension: 3,
      embed: async (texts) => texts.slice(1).map(() => [1, 0, 0]),
    };
    const wrongSize: Embedder = {
      name: "size",
      dimension: 3,
      embed: async (texts) => texts.map(() => [1, 0]),
    };
    const few = await chunkDocumentSemantic(makeDoc(text), tooFew).catch((e: unknown) => e);
    expect((few as RagKitError).code).toBe("provider_error");
    await expect(chunkDocumentSemantic(makeDoc(text), wrongSize)).rejects.toBeInstanceOf(
      DimensionMismatchError,
    );
  });

  test("a single sentence is a single chunk", async () => {
    const chunks = await chunkDocumentSemantic(makeDoc("  Only one sentence here.  "), new HashingEmbedder());
    expect(chunks.map((c) => [c.text, c.start, c.end])).toEqual([["Only one sentence here.", 2, 25]]);
  });
});

import { describe, expect, it } from "vitest";
import { OfflineEmbedder } from "../../src/embeddings/offline.js";
import { RagKitError } from "../../src/errors/index.js";

const cosine = (a: readonly number[], b: readonly number[]): number => {
  expect(a.length).toBe(b.length);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
};

const norm = (v: readonly number[]): number => Math.sqrt(cosine(v, v));

const embedder = new OfflineEmbedder();
const sim = (a: string, b: string): number => cosine(embedder.embedSync(a), embedder.embedSync(b));

describe("OfflineEmbedder", () => {
  it("is named ragkit-hash-v1 with 384 dimensions by default; the dimension is configurable", async () => {
    expect(embedder.name).toBe("ragkit-hash-v1");
    expect(embedder.dimension).toBe(384);
    const [v] = await embedder.embed(["hello world"]);
    expect(v).toHaveLength(384);

    const small = new OfflineEmbedder({ dimension: 64 });
    expect(small.dimension).toBe(64);
    const vectors = await small.embed(["hello world", "another text"]);
    expect(vectors.map((x) => x.length)).toEqual([64, 64]);
  });

  it("rejects invalid options with a config_error", () => {
    for (const dimension of [0, 8, 100.5, 20_000]) {
      expect(() => new OfflineEmbedder({ dimension })).toThrow(
        expect.objectContaining({ code: "config_error", message: expect.stringContaining("dimension") }),
      );
    }
    expect(() => new OfflineEmbedder({ dimensions: 64 } as never)).toThrow(RagKitError);
  });

  it("is deterministic across calls and instances", async () => {
    const texts = ["The quick brown fox", "Retrieval-augmented generation", "日本語のテキスト", "🙂 emoji ✓"];
    const a = await embedder.embed(texts);
    const b = await new OfflineEmbedder().embed(texts);
    const c = await embedder.embed(texts);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it("matches the recorded v1 vector (a change here needs a new embedder name)", () => {
    const v = embedder.embedSync("Retrieval-augmented generation grounds answers in documents.");
    const nonZero = v.map((x, i) => [i, x] as const).filter(([, x]) => x !== 0);
    expect(nonZero).toHaveLength(88);
    expect(nonZero.slice(0, 6).map(([i, x]) => [i, Number(x.toFixed(6))])).toEqual([
      [0, -0.134656],
      [2, 0.067328],
      [7, 0.067328],
      [9, 0.067328],
      [16, -0.067328],
      [17, 0.067328],
    ]);
    const checksum = v.reduce((sum, x, i) => sum + (i + 1) * x, 0);
    expect(checksum).toBeCloseTo(GOLDEN_CHECKSUM, 9);
  });

  it("returns unit vectors, including for the empty text", async () => {
    const texts = [
      "A short sentence.",
      "word",
      "the the the of and",
      "x".repeat(10_000),
      "Ελληνικά κείμενα και русский текст",
      "中文文本检索",
      "",
      "   \n\t ",
      "?!…—",
    ];
    for (const v of await embedder.embed(texts)) {
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 12);
    }
  });

  it("maps every token-less text to the same fixed unit vector, orthogonal-ish to real text", () => {
    const empty = embedder.embedSync("");
    expect(empty.filter((x) => x !== 0)).toHaveLength(1);
    expect(embedder.embedSync("   ")).toEqual(empty);
    expect(embedder.embedSync("... --- !!!")).toEqual(empty);
    expect(Math.abs(cosine(empty, embedder.embedSync("retrieval augmented generation")))).toBeLessThan(0.2);
  });

  it("scores texts sharing words above unrelated texts", () => {
    const query = "vector database for semantic search";
    const related = sim(query, "a fast vector database powers our search");
    const unrelated = sim(query, "the chef seasoned the soup with fresh basil");
    expect(related).toBeGreaterThan(0.3);
    expect(Math.abs(unrelated)).toBeLessThan(0.15);
    expect(related).toBeGreaterThan(unrelated + 0.2);
  });

  it("overlaps inflections through stemming", () => {
    const stemmed = sim("running dogs", "dog runs");
    expect(stemmed).toBeGreaterThan(0.5);
    expect(stemmed).toBeGreaterThan(sim("running dogs", "cat sleeps") + 0.4);
    expect(sim("generalization of retrieval", "generalizations retrieved")).toBeGreaterThan(0.5);
  });

  it("overlaps typos and shared sub-words through character n-grams", () => {
    // Single words share nothing but character n-grams ("<re", "ret", "retr", "val", "al>", …).
    const typo = sim("retreival", "retrieval");
    expect(typo).toBeGreaterThan(0.2);
    expect(typo).toBeGreaterThan(sim("retreival", "banana") + 0.15);
    expect(sim("retreival augmented generation", "retrieval augmented generation")).toBeGreaterThan(0.6);
  });

  it("indexes Chinese/Japanese text as character unigrams and bigrams", () => {
    const related = sim("中文文本检索", "文本检索系统");
    expect(related).toBeGreaterThan(0.4);
    expect(related).toBeGreaterThan(sim("中文文本检索", "今天天气很好") + 0.3);
  });

  it("is lexical, not semantic: synonyms do not match (documented limit)", () => {
    expect(Math.abs(sim("car", "automobile"))).toBeLessThan(0.2);
  });

  it("ignores case, Unicode compatibility forms, apostrophes and stop words", () => {
    const dog = embedder.embedSync("dog");
    expect(embedder.embedSync("DOG")).toEqual(dog);
    expect(embedder.embedSync("ｄｏｇ")).toEqual(dog); // full-width, folded by NFKC
    expect(embedder.embedSync("the dog")).toEqual(dog);
    expect(embedder.embedSync("Dog.")).toEqual(dog);
    expect(sim("the dog's bowl", "dogs bowl")).toBeCloseTo(1, 12);
  });

  it("keeps a stop-word-only text distinguishable from the empty text", () => {
    const v = embedder.embedSync("to be or to be");
    expect(v).not.toEqual(embedder.embedSync(""));
    expect(norm(v)).toBeCloseTo(1, 12);
  });

  it("dampens repeated words with sublinear term frequency (1 + ln tf)", () => {
    // With raw counts the eight "alpha"s would drown "beta" (cosine ≈ 0.11); 1 + ln 8 ≈ 3.1 keeps it ≈ 0.28.
    const repeated = sim("alpha alpha alpha alpha alpha alpha alpha alpha beta", "beta");
    expect(repeated).toBeGreaterThan(0.2);
    expect(repeated).toBeLessThan(sim("alpha beta", "beta"));
  });

  it("uses word order only through bigrams", () => {
    const same = sim("dog bites man", "man bites dog");
    expect(same).toBeGreaterThan(0.7);
    expect(same).toBeLessThan(1 - 1e-6);
  });

  it("preserves batch order and matches single-text embedding", async () => {
    const texts = Array.from({ length: 600 }, (_, i) => `document number ${i} about topic ${i % 7}`);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const i of [0, 1, 255, 256, 257, 599]) expect(vectors[i]).toEqual(embedder.embedSync(texts[i]!));
    const reversed = await embedder.embed([...texts].reverse());
    expect(reversed.reverse()).toEqual(vectors);
    expect(await embedder.embed([])).toEqual([]);
  });

  it("embeds 200 abstract-sized texts", async () => {
    const words = "graph neural network retrieval dense sparse hybrid index query latency recall".split(" ");
    const texts = Array.from({ length: 200 }, (_, i) =>
      Array.from({ length: 200 }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(" "),
    );
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(200);
    for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 9);
  });

  it("throws RagKitError 'aborted' for an aborted signal, before or between slices", async () => {
    const before = new AbortController();
    before.abort();
    await expect(embedder.embed(["text"], { signal: before.signal })).rejects.toMatchObject({
      name: "RagKitError",
      code: "aborted",
    });

    const during = new AbortController();
    const texts = Array.from({ length: 1000 }, (_, i) => `text ${i}`);
    const pending = embedder.embed(texts, { signal: during.signal });
    during.abort(); // lands at the first yield, after the first slice of 256 texts
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });

  it("ignores kind: the model is symmetric", async () => {
    const [q] = await embedder.embed(["hybrid search"], { kind: "query" });
    const [d] = await embedder.embed(["hybrid search"], { kind: "document" });
    expect(q).toEqual(d);
  });

  it("rejects non-string input with a ValidationError", async () => {
    await expect(embedder.embed(["ok", 42 as unknown as string])).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("texts[1]"),
    });
  });
});

const GOLDEN_CHECKSUM = 60.505889933809;

import { describe, expect, test } from "vitest";
import { createChunkTokenizer } from "../../src/ingest/chunking/index.js";
import { cl100kTokenizer, prose } from "./helpers.js";

describe("createChunkTokenizer", () => {
  const base = cl100kTokenizer;
  const safe = createChunkTokenizer(base);

  test("encodes ordinary text token for token like the base tokenizer", () => {
    for (const text of [
      prose(2000, 1),
      "Mixed: ünïcödé, 漢字かな, emoji 😀👍🏽, numbers 1,234.56, code `const x = 1;`\r\n\ttabs",
      "Short URL: https://example.com/a/b?c=d#e",
    ]) {
      expect(Array.from(safe.encode(text))).toEqual(Array.from(base.encode(text)));
    }
    // A word longer than 32 code points is encoded in pieces: at most one extra token per piece.
    const url = "https://example.com/a/fairly/long/path?with=query&and=more#fragment";
    const extra = safe.encode(url).length - base.encode(url).length;
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(Math.ceil(url.length / 32));
  });

  test("decodes back to the input, including text it encodes in pieces", () => {
    for (const text of [
      "a".repeat(1000),
      `x${" ".repeat(500)}y`,
      "漢".repeat(300),
      "😀".repeat(100),
      "before <|endoftext|> after <|fim_prefix|>",
    ]) {
      expect(safe.decode(safe.encode(text))).toBe(text);
    }
  });

  test("special-token strings are encoded as ordinary text instead of throwing", () => {
    expect(() => base.encode("<|endoftext|>")).toThrow();
    expect(safe.encode("<|endoftext|>").length).toBeGreaterThan(1);
  });

  test("long runs cost linear time and at most one extra token per 32 code points", () => {
    const letters = safe.encode("a".repeat(50_000)).length; // js-tiktoken alone: minutes
    const cjk = safe.encode("漢字".repeat(5_000)).length; // js-tiktoken alone: ~26 s
    const spaces = safe.encode(" ".repeat(20_000)).length;
    const exactFor = (text: string) => base.encode(text).length;
    expect(letters).toBeLessThanOrEqual((exactFor("a".repeat(1000)) + 1000 / 32) * 50);
    expect(cjk).toBeGreaterThanOrEqual(exactFor("漢字".repeat(100)) * 50 - 1);
    expect(cjk).toBeLessThanOrEqual((exactFor("漢字".repeat(100)) + 200 / 32 + 1) * 50);
    expect(spaces).toBeGreaterThan(0);
  });

  test("wrapping is idempotent", () => {
    expect(createChunkTokenizer(safe)).toBe(safe);
  });
});

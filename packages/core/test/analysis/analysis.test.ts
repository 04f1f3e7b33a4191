import { describe, expect, it } from "vitest";
import { contentTerms, isStopWord as isAgentStopWord } from "../../src/agent/text.js";
import {
  isRequestWord,
  isStopWord,
  lexicalTerms,
  MAX_TERM_LENGTH,
  normalizeText,
  porterStem,
  REQUEST_WORDS,
  STOP_WORDS,
  stem,
  termCounts,
  tokenize,
} from "../../src/analysis/index.js";

describe("text analysis (one tokenizer, one stop-word list, one stemmer)", () => {
  it("normalises with NFKC, lower case and no apostrophes", () => {
    expect(normalizeText("Ｆｕｌｌ-width DOG'S don’t ﬁne")).toBe("full-width dogs dont fine");
  });

  it("tokenises letters/digits runs and each CJK character on its own", () => {
    expect(tokenize("IL-6 levels (p<0.05) in 漢字かな, naïve café!")).toEqual([
      "il",
      "6",
      "levels",
      "p",
      "0",
      "05",
      "in",
      "漢",
      "字",
      "か",
      "な",
      "naïve",
      "café",
    ]);
  });

  it("index terms: stop words dropped, ASCII words Porter-stemmed, other scripts and digits kept, long tokens skipped", () => {
    const long = "x".repeat(MAX_TERM_LENGTH + 1);
    expect(
      lexicalTerms(
        `The running dogs were quickly jumping over 2 naïve cafés ${long} ${"z".repeat(MAX_TERM_LENGTH)}`,
      ),
    ).toEqual(["run", "dog", "quickli", "jump", "2", "naïve", "cafés", "z".repeat(MAX_TERM_LENGTH)]);
    expect(lexicalTerms("to be or not to be")).toEqual(["not"]); // negations are not stop words
  });

  it("termCounts gives distinct terms in first-occurrence order, their counts and the total length", () => {
    expect(termCounts("Cats chase cats; the cat runs.")).toEqual({
      terms: ["cat", "chase", "run"],
      counts: [3, 1, 1],
      length: 5,
    });
    expect(termCounts("the and of")).toEqual({ terms: [], counts: [], length: 0 });
  });

  it("stem is the cached Porter stemmer", () => {
    for (const w of ["generalizations", "hopeful", "connected", "policies", "running", "sky"]) {
      expect(stem(w)).toBe(porterStem(w));
      expect(stem(w)).toBe(stem(w));
    }
  });

  it("request words extend the stop-word list only for chat topics; the agent uses both, indexing only the list", () => {
    for (const w of REQUEST_WORDS) {
      expect(STOP_WORDS.has(w)).toBe(false); // an extension, not a second copy of the list
      expect(isRequestWord(w)).toBe(true);
      expect(isAgentStopWord(w)).toBe(true);
    }
    for (const w of STOP_WORDS) {
      expect(isStopWord(w)).toBe(true);
      expect(isAgentStopWord(w)).toBe(true);
    }
    expect(isStopWord("please")).toBe(false);
    // The agent's content terms are the index terms of the same text, minus request words.
    const text = "Please explain the refund policies for annual plans";
    expect(contentTerms(text)).toEqual(lexicalTerms(text).filter((t) => !["explain", "pleas"].includes(t)));
  });
});

import { describe, expect, test } from "vitest";
import { type LocatedSpan, locatePieces } from "../../src/ingest/chunking/locate.js";

/** One token per whitespace-separated word. */
const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;
const slices = (text: string, spans: readonly LocatedSpan[]) => spans.map((s) => text.slice(s.start, s.end));

describe("locatePieces: mapping splitter output back to source offsets", () => {
  test("exact pieces, with overlap and surrounding whitespace", () => {
    const text = "  One two three. Four five six. Seven eight nine.  ";
    const pieces = ["One two three. Four five six.", "Four five six. Seven eight nine."];
    const spans = locatePieces(text, pieces, 0, text.length, { overlapTokens: 3, countTokens: words });
    expect(spans).toEqual([
      { start: 2, end: 31, match: "exact" },
      { start: 17, end: 49, match: "exact" },
    ]);
    expect(slices(text, spans)).toEqual(pieces);
  });

  test("offsets are absolute and confined to the region", () => {
    const text = "Header. Alpha beta. Gamma delta. Footer alpha beta.";
    const start = text.indexOf("Alpha");
    const end = text.indexOf(" Footer");
    const spans = locatePieces(text, ["Alpha beta.", "Gamma delta."], start, end, {
      overlapTokens: 0,
      countTokens: words,
    });
    expect(spans).toEqual([
      { start, end: start + 11, match: "exact" },
      { start: text.indexOf("Gamma"), end, match: "exact" },
    ]);
  });

  test("identical pieces in repetitive text advance through the copies with the real overlap", () => {
    // Splitter output for 12 copies of "Ab cd. Ef gh." with 2 sentences per chunk and 1 sentence overlap.
    const sentence = ["Ab cd.", "Ef gh."];
    const text = Array.from({ length: 24 }, (_, i) => sentence[i % 2]).join(" ");
    const pieces = Array.from({ length: 23 }, (_, i) => `${sentence[i % 2]} ${sentence[(i + 1) % 2]}`);
    const spans = locatePieces(text, pieces, 0, text.length, { overlapTokens: 2, countTokens: words });
    expect(spans.map((s) => s.start)).toEqual(Array.from({ length: 23 }, (_, i) => i * 7));
    expect(spans.every((s) => s.match === "exact")).toBe(true);
    expect(spans.at(-1)!.end).toBe(text.length);
  });

  test("periodic text split per character: the overlap the pieces imply is recovered", () => {
    // What SentenceSplitter returns for 300 × "a" split by character: 64-char chunks, 8 chars of overlap.
    const text = "a".repeat(300);
    const pieces: string[] = [];
    for (let start = 0; ; start += 56) {
      pieces.push(text.slice(start, start + 64));
      if (start + 64 >= text.length) break;
    }
    const spans = locatePieces(text, pieces, 0, text.length, {
      overlapTokens: 8,
      countTokens: (s) => Math.ceil(s.length / 8), // BPE-like: long runs merge into few tokens
    });
    expect(spans.map((s) => s.start)).toEqual(pieces.map((_, i) => i * 56));
    expect(spans.at(-1)!.end).toBe(300);
  });

  test("a piece whose whitespace differs from the source is found on the whitespace-free view", () => {
    const text = "Intro.\n\nA  table:\r\n| a | b |\r\n| 1 | 2 |\n\nOutro.";
    const spans = locatePieces(text, ["Intro.", "A table: | a | b | | 1 | 2 |", "Outro."], 0, text.length, {
      overlapTokens: 0,
      countTokens: words,
    });
    expect(spans[1]).toEqual({ start: 8, end: text.indexOf("\n\nOutro"), match: "normalized" });
    expect(spans.map((s) => s.match)).toEqual(["exact", "normalized", "exact"]);
  });

  test("a piece altered in the middle is located by its first and last characters", () => {
    const text = "Start here. See https://example.com/a$'b?x=$&y now! Then more text follows here.";
    // SentenceSplitter's actual rendering of the middle sentence.
    const altered = "See https://example.com/a now!b?x={{URI_2}}y now!";
    const spans = locatePieces(
      text,
      ["Start here.", altered, "Then more text follows here."],
      0,
      text.length,
      {
        overlapTokens: 0,
        countTokens: words,
      },
    );
    expect(spans[1]).toEqual({ start: text.indexOf("See"), end: text.indexOf(" Then"), match: "anchored" });
    expect(spans[2]!.match).toBe("exact");
  });

  test("a piece that cannot be found falls back to a deterministic span right after the previous one", () => {
    const text = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota.";
    const pieces = ["Alpha beta gamma.", "QQQQQ XXXXXXX ZZZZ!", "Eta theta iota."];
    const run = () => locatePieces(text, pieces, 0, text.length, { overlapTokens: 0, countTokens: words });
    const spans = run();
    const delta = text.indexOf("Delta");
    expect(spans).toEqual([
      { start: 0, end: 17, match: "exact" },
      // As long as the piece (19 code units), starting where the previous span left off, trimmed.
      { start: delta, end: delta + "Delta epsilon zeta.".length, match: "fallback" },
      { start: text.indexOf("Eta"), end: text.length, match: "exact" },
    ]);
    expect(run()).toEqual(spans);
  });

  test("a fallback span never runs past the region or ends on whitespace", () => {
    const text = "Alpha beta. Gamma.   ";
    const spans = locatePieces(
      text,
      ["Alpha beta.", "a much longer piece that is nowhere in the text"],
      0,
      text.length,
      {
        overlapTokens: 0,
        countTokens: words,
      },
    );
    expect(spans[1]).toEqual({ start: 12, end: 18, match: "fallback" });
  });

  test("text the splitter skipped is given to the neighbouring span, so nothing is lost", () => {
    const text = "Lead in. Alpha beta gamma. Delta epsilon zeta. Eta theta iota. Trailer.";
    const spans = locatePieces(text, ["Alpha beta gamma.", "Eta theta iota."], 0, text.length, {
      overlapTokens: 0,
      countTokens: words,
    });
    expect(spans).toEqual([
      // The first piece must start the region: found by its end ("anchored"), it is widened to the start.
      { start: 0, end: text.indexOf(" Delta"), match: "anchored" },
      { start: text.indexOf("Delta"), end: text.length, match: "repaired" },
    ]);
  });

  test("no pieces: empty region gives nothing, a region with content one fallback span", () => {
    const opts = { overlapTokens: 0, countTokens: words };
    expect(locatePieces("   \n ", [], 0, 5, opts)).toEqual([]);
    expect(locatePieces(" text ", ["", "  "], 0, 6, opts)).toEqual([{ start: 1, end: 5, match: "fallback" }]);
  });

  test("a surrogate pair split between two pieces is kept whole in both", () => {
    const text = "ab😀cd";
    const spans = locatePieces(text, ["ab\ud83d", "\ude00cd"], 0, text.length, {
      overlapTokens: 1,
      countTokens: words,
    });
    expect(slices(text, spans)).toEqual(["ab😀", "😀cd"]);
  });
});

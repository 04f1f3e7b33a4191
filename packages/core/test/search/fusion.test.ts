import { describe, expect, it } from "vitest";
import { agreementOf, type FusionChannel, scoreFusion } from "../../src/search/fusion.js";

interface Hit {
  id: string;
  score: number;
}

const channel = (hits: Hit[], options: Partial<FusionChannel<Hit>> = {}): FusionChannel<Hit> => ({
  items: hits,
  score: (h) => h.score,
  weight: 1,
  truncated: false,
  ...options,
});
const hits = (...pairs: Array<[string, number]>): Hit[] => pairs.map(([id, score]) => ({ id, score }));
const keys = (r: { items: Array<{ key: string }> }) => r.items.map((i) => i.key);
const key = (h: Hit) => h.id;

/** A deterministic pseudo-random generator (mulberry32), so "random" channels are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("agreementOf", () => {
  it("is the shared share of the shorter list, and 1 when a list is empty", () => {
    expect(agreementOf(["a", "b", "c", "d"], ["d", "c", "x", "y"])).toBe(0.5);
    expect(agreementOf(["a", "b"], ["b", "a", "z", "q"])).toBe(1);
    expect(agreementOf(["a"], ["z"])).toBe(0);
    expect(agreementOf([], ["z"])).toBe(1);
  });
});

describe("scoreFusion", () => {
  it("combines absolute scores with the dense share w_d / (w_d + w_l) when the channels agree", () => {
    const lexical = channel(hits(["a", 0.6], ["b", 0.2]));
    const dense = channel(hits(["b", 0.9], ["a", 0.3]));
    const fused = scoreFusion(lexical, dense, key, { gate: true });
    expect(fused.agreement).toBe(1);
    expect(fused.alpha).toBe(0.5);
    expect(keys(fused)).toEqual(["b", "a"]);
    expect(fused.items[0]!.score).toBeCloseTo(0.55, 12);
    expect(fused.items[1]!.score).toBeCloseTo(0.45, 12);
    const weighted = scoreFusion(lexical, { ...dense, weight: 3 }, key, { gate: false });
    expect(weighted.alpha).toBe(0.75);
  });

  it("with the gate, a dense channel that shares nothing with the lexical one leaves the lexical ranking", () => {
    const random = rng(7);
    const lexical = channel(
      Array.from({ length: 50 }, (_, i) => ({ id: `l${i}`, score: 0.9 - i * 0.01 })),
      { truncated: true },
    );
    const dense = channel(
      Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, score: 0.99 - random() * 0.01 })),
      { truncated: true },
    );
    const fused = scoreFusion(lexical, dense, key, { gate: true });
    expect(fused.agreement).toBe(0);
    expect(fused.alpha).toBe(0);
    expect(keys(fused).slice(0, 50)).toEqual(lexical.items.map((h) => h.id));
    // Without the gate the same (uninformative but confident-looking) channel pushes into the top 50.
    const ungated = keys(scoreFusion(lexical, dense, key, { gate: false })).slice(0, 50);
    expect(ungated.filter((k) => k.startsWith("d")).length).toBeGreaterThan(0);
  });

  it("an empty channel leaves the other channel's ranking, gate or not", () => {
    const some = channel(hits(["x", 0.2], ["y", 0.8], ["z", 0.5]).sort((a, b) => b.score - a.score));
    for (const gate of [true, false]) {
      expect(keys(scoreFusion(channel([]), some, key, { gate }))).toEqual(["y", "z", "x"]);
      expect(keys(scoreFusion(some, channel([]), key, { gate }))).toEqual(["y", "z", "x"]);
    }
  });

  it("a chunk missing from a truncated list scores that list's last score, from an exhaustive list 0", () => {
    const lexical = channel(hits(["a", 0.5], ["b", 0.4]));
    const dense = channel(hits(["c", 0.7], ["a", 0.6]), { truncated: true });
    const fused = scoreFusion(lexical, dense, key, { gate: false });
    const score = (k: string) => fused.items.find((i) => i.key === k)!.score;
    expect(score("b")).toBeCloseTo(0.5 * 0.4 + 0.5 * 0.6, 12); // dense: at most the last returned (0.6)
    expect(score("c")).toBeCloseTo(0.5 * 0 + 0.5 * 0.7, 12); // lexical was exhaustive: 0
    expect(fused.items[0]!).toMatchObject({ key: "a", lexical: { rank: 1 }, dense: { rank: 2 } });
  });

  it("clamps scores to [0, 1] (negative cosines, non-finite values) and orders ties by key", () => {
    const fused = scoreFusion(
      channel(hits(["b", Number.NaN], ["a", 2])),
      channel(hits(["a", -0.5], ["b", -0.2])),
      key,
      { gate: false },
    );
    expect(fused.items.map((i) => [i.key, i.score])).toEqual([
      ["a", 0.5],
      ["b", 0],
    ]);
  });
});

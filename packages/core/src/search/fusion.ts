/**
 * Fusion of the dense and lexical channels of hybrid search.
 *
 * `scoreFusion` (the default) is a convex combination of scores that mean the same for every query:
 *   lexical: bm25 / bm25_max, the fraction of the query's BM25 upper bound a chunk reaches (0 … 1);
 *   dense:   max(0, cosine similarity) (0 … 1).
 * Neither depends on the rest of the list, unlike min-max or z-scores, which stretch a channel that has no
 * real match to the same range as one that has: a channel that finds nothing strong contributes little.
 *
 *   fused(c) = (1 − α)·lexical(c) + α·dense(c),   α = w_dense / (w_dense + w_lexical) · g
 *
 * g is the agreement gate: the share of the dense channel's candidates that the lexical channel also
 * retrieved (|L ∩ D| / min(|L|, |D|)), or 1 without the gate. It lets a dense channel weigh fully only when
 * the exact-term evidence corroborates it, so an uninformative dense channel (random, or a weak model on
 * this corpus) is faded out query by query instead of adding noise. It is on by default for the offline
 * hashing embedder, whose "dense" signal is a noisy second view of the same words (see docs/store.md).
 *
 * A chunk one channel did not return gets that channel's lowest returned score when the list was cut at the
 * fetch depth (its true score is at most that), and 0 when the list was exhaustive. If one channel returned
 * nothing, the other's ranking stands.
 *
 * `reciprocalRankFusion` (Cormack, Clarke & Büttcher 2009) is kept for rank-only inputs: the agent fuses the
 * lists of several query variations with it, and `fusion: "rrf"` selects it for hybrid search.
 */

export interface FusionChannel<T> {
  items: readonly T[];
  /** The item's score on the channel's absolute [0, 1] scale (see the module comment). */
  score: (item: T) => number;
  weight: number;
  /** True when the list was cut at the fetch depth (more items would have matched). */
  truncated: boolean;
}

export interface FusedItem<T> {
  key: string;
  score: number;
  lexical?: { item: T; rank: number };
  dense?: { item: T; rank: number };
}

export interface ScoreFusionResult<T> {
  items: FusedItem<T>[];
  /** The dense channel's share α of this query's fused score. */
  alpha: number;
  /** The agreement gate g (1 when the gate is off or a channel is empty). */
  agreement: number;
}

/** |A ∩ B| / min(|A|, |B|) over keys; 1 when either list is empty (nothing to disagree with). */
export function agreementOf(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 1;
  const inA = new Set(a.slice(0, n));
  let shared = 0;
  for (const key of b.slice(0, n)) if (inA.has(key)) shared++;
  return shared / n;
}

export function scoreFusion<T>(
  lexical: FusionChannel<T>,
  dense: FusionChannel<T>,
  key: (item: T) => string,
  options: { gate: boolean },
): ScoreFusionResult<T> {
  const weights = Math.max(0, lexical.weight) + Math.max(0, dense.weight);
  const agreement = options.gate ? agreementOf(lexical.items.map(key), dense.items.map(key)) : 1;
  let alpha = weights === 0 ? 0.5 : (Math.max(0, dense.weight) / weights) * agreement;
  if (lexical.items.length === 0) alpha = 1;
  else if (dense.items.length === 0) alpha = 0;

  const entries = new Map<string, FusedItem<T>>();
  const collect = (channel: FusionChannel<T>, name: "lexical" | "dense") =>
    channel.items.forEach((item, i) => {
      const k = key(item);
      let entry = entries.get(k);
      if (!entry) {
        entry = { key: k, score: 0 };
        entries.set(k, entry);
      }
      entry[name] = { item, rank: i + 1 };
    });
  collect(lexical, "lexical");
  collect(dense, "dense");

  const floor = (channel: FusionChannel<T>) => {
    const last = channel.items.at(-1);
    return channel.truncated && last !== undefined ? clamp01(channel.score(last)) : 0;
  };
  const lexicalFloor = floor(lexical);
  const denseFloor = floor(dense);
  for (const entry of entries.values()) {
    const l = entry.lexical ? clamp01(lexical.score(entry.lexical.item)) : lexicalFloor;
    const d = entry.dense ? clamp01(dense.score(entry.dense.item)) : denseFloor;
    entry.score = (1 - alpha) * l + alpha * d;
  }
  // A floor is an upper bound, so on a tie the chunk whose score is more measured than bounded wins.
  const measured = (e: FusedItem<T>) => (e.lexical ? 1 - alpha : 0) + (e.dense ? alpha : 0);
  const items = [...entries.values()].sort(
    (a, b) => b.score - a.score || measured(b) - measured(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return { items, alpha, agreement };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** Weighted reciprocal rank fusion: score = Σ w_i / (k + rank_i). Rank-based, so scores need no calibration. */
export interface RankedList<T> {
  weight: number;
  items: readonly T[];
}

export function reciprocalRankFusion<T>(
  lists: readonly RankedList<T>[],
  key: (item: T) => string,
  k = 60,
): Array<{ key: string; score: number; ranks: number[] }> {
  const fused = new Map<string, { score: number; ranks: number[] }>();
  lists.forEach((list, listIndex) => {
    list.items.forEach((item, position) => {
      const id = key(item);
      let entry = fused.get(id);
      if (!entry) {
        entry = { score: 0, ranks: lists.map(() => 0) };
        fused.set(id, entry);
      }
      entry.score += list.weight / (k + position + 1);
      entry.ranks[listIndex] = position + 1;
    });
  });
  return [...fused.entries()]
    .map(([id, v]) => ({ key: id, ...v }))
    .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Weighted reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): score = Σ w_i / (k + rank_i).
 * Rank-based, so BM25 scores and cosine similarities need no calibration against each other.
 */
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

import { porterStem } from "./porter-stemmer.js";

/** Stem cache: stemming dominates the per-token cost of analysis and vocabularies are Zipfian. */
const STEM_CACHE_LIMIT = 50_000;
const cache = new Map<string, string>();

/**
 * The stem of a normalised token: Porter for lower-case ASCII words; digits, accented words and other
 * scripts are returned unchanged (see porter-stemmer.ts).
 */
export function stem(token: string): string {
  let stemmed = cache.get(token);
  if (stemmed === undefined) {
    stemmed = porterStem(token);
    if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
    cache.set(token, stemmed);
  }
  return stemmed;
}

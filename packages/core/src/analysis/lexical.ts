import { stem } from "./stem.js";
import { isStopWord } from "./stop-words.js";
import { tokenize } from "./tokenize.js";

/**
 * The lexical analyzer's name, recorded with the store's index settings. Postings written by another
 * analyzer (e.g. the Postgres `english` text search configuration of earlier releases) are rebuilt when
 * the store is opened by its owner (see store/lexical-index.ts). Change the name whenever the terms a text
 * produces change.
 */
export const LEXICAL_ANALYZER = "ragkit-text-v1";

/**
 * Tokens longer than this (UTF-16 code units) are not indexed: base64 blobs, hashes and URLs without
 * separators are never searched for word by word, and a bounded term keeps the postings index's keys small.
 */
export const MAX_TERM_LENGTH = 64;

/** Index terms of a text in order, with repetitions: tokens, minus stop words and over-long tokens, stemmed. */
export function lexicalTerms(text: string): string[] {
  const terms: string[] = [];
  for (const token of tokenize(text)) {
    if (token.length > MAX_TERM_LENGTH || isStopWord(token)) continue;
    terms.push(stem(token));
  }
  return terms;
}

export interface TermCounts {
  /** Distinct terms, in order of first occurrence. */
  terms: string[];
  /** Occurrences of each term (same order). */
  counts: number[];
  /** Total occurrences: the text's length in BM25. */
  length: number;
}

/** Term frequencies of a text: the postings of one chunk, or the query-term frequencies of a query. */
export function termCounts(text: string): TermCounts {
  const all = lexicalTerms(text);
  const index = new Map<string, number>();
  const counts: number[] = [];
  for (const term of all) {
    const at = index.get(term);
    if (at === undefined) {
      index.set(term, counts.length);
      counts.push(1);
    } else {
      counts[at] = counts[at]! + 1;
    }
  }
  return { terms: [...index.keys()], counts, length: all.length };
}

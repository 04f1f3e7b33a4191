/**
 * Normalisation and tokenisation shared by every part of RagKit that turns text into words.
 *
 * 1. Normalise: Unicode NFKC, lower case, apostrophes removed ("dog's" → "dogs", "don't" → "dont").
 * 2. Tokenise: runs of letters, marks and digits; each Han / Hiragana / Katakana character is a token of
 *    its own (those scripts do not separate words with spaces). Other punctuation separates tokens.
 *
 * Part of the `ragkit-hash-v1` embedder and the `ragkit-text-v1` lexical analyzer: changing it changes
 * stored vectors and postings.
 */

const TOKEN_PATTERN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{M}\p{N}]+/gu;
const APOSTROPHES = /['\u2019\u02bc]/g;

export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(APOSTROPHES, "");
}

/** Tokens of `text` after normalisation, in order, with repetitions. */
export function tokenize(text: string): string[] {
  return normalizeText(text).match(TOKEN_PATTERN) ?? [];
}

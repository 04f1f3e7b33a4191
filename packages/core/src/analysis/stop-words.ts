/**
 * The one stop-word list: English function words, applied after normalisation (lower case, apostrophes
 * removed, so "don't" arrives as "dont"). Negations ("not", "no", "nor") are deliberately kept because they
 * change meaning. Frozen: it is part of the `ragkit-hash-v1` embedder and the `ragkit-text-v1` lexical
 * analyzer, so changing it changes stored vectors and postings (ship new names instead).
 */
// biome-ignore format: a word list reads better packed
export const STOP_WORDS: ReadonlySet<string> = new Set([
  "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as",
  "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
  "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further",
  "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
  "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
  "myself", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out",
  "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
  "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to",
  "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which",
  "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
  "yourselves", "s", "t", "d", "ll", "m", "re", "ve", "also", "may", "might", "must", "shall",
]);

/**
 * Words that phrase a chat request rather than name its topic ("please tell me about…", "can you explain…"),
 * plus negations and quantifiers that say nothing about what to search for. Not a second stop-word list:
 * it extends STOP_WORDS only where a topic is extracted from a conversational message (the offline agent's
 * keywords and salient terms); indexing, query parsing for BM25 and the embedder never use it.
 */
// biome-ignore format: a word list reads better packed
export const REQUEST_WORDS: ReadonlySet<string> = new Set([
  "please", "tell", "explain", "describe", "know", "give", "get", "let", "say", "ok", "okay", "us",
  "much", "many", "now", "else", "cannot", "no", "nor", "not", "whats", "hows", "wheres", "whos",
]);

/** True for a normalised token in STOP_WORDS. */
export function isStopWord(token: string): boolean {
  return STOP_WORDS.has(token);
}

/** True for a normalised token that names no topic in a chat request: STOP_WORDS ∪ REQUEST_WORDS. */
export function isRequestWord(token: string): boolean {
  return STOP_WORDS.has(token) || REQUEST_WORDS.has(token);
}

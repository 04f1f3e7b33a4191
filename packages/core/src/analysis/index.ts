/**
 * Text analysis: the one place where RagKit turns text into words. Lexical indexing and BM25 query parsing
 * (`lexicalTerms`), the offline embedder and the offline agent models all use the same normalisation,
 * tokenizer, stop-word list and stemmer. See docs/architecture.md ("Text analysis").
 */
export { LEXICAL_ANALYZER, lexicalTerms, MAX_TERM_LENGTH, type TermCounts, termCounts } from "./lexical.js";
export { porterStem } from "./porter-stemmer.js";
export { stem } from "./stem.js";
export { isRequestWord, isStopWord, REQUEST_WORDS, STOP_WORDS } from "./stop-words.js";
export { normalizeText, tokenize } from "./tokenize.js";

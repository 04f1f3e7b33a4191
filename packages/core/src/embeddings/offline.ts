/**
 * OfflineEmbedder ("ragkit-hash-v1"): a deterministic, dependency-free embedder that needs no
 * model download, no network and no GPU. It exists so RagKit works out of the box (quickstart,
 * tests, air-gapped demos) and as a reproducible baseline, not as a substitute for a neural model.
 *
 * What it is: a hashed bag-of-features model (the "hashing trick", Weinberger et al. 2009).
 *   1. Normalise: Unicode NFKC, lower-case, drop apostrophes ("dog's" → "dogs", "don't" → "dont").
 *   2. Tokenise: runs of letters/digits; each Han/Hiragana/Katakana character is its own token,
 *      so Chinese/Japanese text is indexed as character unigrams + bigrams.
 *   3. Drop a short English stop-word list (kept if a text has nothing else).
 *   4. Stem ASCII words with the Porter algorithm ("running", "runs" → "run").
 *   5. Features, each weighted:
 *        stem unigrams                              weight 1.0
 *        adjacent stem bigrams ("run dog")          weight 0.5
 *        character 3- and 4-grams of each surface   weight 0.25 each
 *        word with boundary markers ("<do", "dog", "og>", "<dog", "dog>")
 *      Term frequency is sublinear: weight × (1 + ln tf).
 *   6. Signed feature hashing: FNV-1a 32-bit (with a murmur3 finaliser) picks a bucket in
 *      [0, dimension) and an independent hash bit picks the sign ±1, so colliding features
 *      cancel in expectation instead of piling up.
 *   7. L2-normalise, so cosine similarity = dot product.
 *
 * What that buys: texts that share words, stems or sub-words score higher than texts that don't;
 * inflections ("dogs"/"dog") and many typos ("retreival"/"retrieval") still overlap through the
 * stems and character n-grams.
 *
 * What it cannot do (honest limits): it is LEXICAL, not semantic. It knows nothing about meaning,
 * so synonyms and paraphrases ("car" vs "automobile", "physician" vs "doctor") score as unrelated,
 * and it cannot tell "dog bites man" from "man bites dog" beyond the bigrams. There is no IDF
 * (the embedder is stateless), so frequent content words weigh as much as rare ones; stop-word
 * removal and stemming are English-only. Expect recall well below a neural embedding model —
 * pair it with the lexical (BM25) retriever, or use a real model (OpenAIEmbedder against OpenAI
 * or a local Ollama/vLLM server) for production quality.
 *
 * Empty text: a text with no tokens at all (empty, whitespace, punctuation only) gets a fixed unit
 * vector (one reserved hashed feature), never a zero vector, so cosine similarity stays defined.
 * All such texts are identical to each other and near-orthogonal to everything else.
 *
 * `kind` ("query" | "document") is ignored: the model is symmetric.
 *
 * Steps 1–4 are RagKit's shared text analysis (src/analysis: tokenizer, stop-word list, Porter
 * stemmer), the same the lexical index uses.
 *
 * Versioning: the vectors are a pure function of (text, dimension), of every constant in this
 * file and of the analysis module's tokenizer, stop words and stemmer. Changing any of them changes stored vectors; such a change must
 * ship under a new name ("ragkit-hash-v2"), never silently as v1.
 */
import { z } from "zod";
import { isStopWord, stem, tokenize } from "../analysis/index.js";
import { ConfigError, RagKitError, ValidationError, validationErrorFromZod } from "../errors/index.js";
import type { Embedder, EmbedOptions } from "./types.js";

export interface OfflineEmbedderOptions {
  /** Vector length; 16–16,000, default 384. Note pgvector's HNSW index supports at most 2,000. */
  dimension?: number;
}

const optionsSchema = z.strictObject({
  dimension: z.number().int().min(16).max(16_000).default(384),
});

/** The model name; part of the stored data's identity. */
export const OFFLINE_EMBEDDER_NAME = "ragkit-hash-v1";

const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;
const CHARGRAM_WEIGHT = 0.25;

/** Feature-type seeds, XOR-ed into the FNV offset basis so "dog" the stem and "dog" the trigram differ. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_UNIGRAM = 0x0;
const SEED_BIGRAM = 0x5bd1e995;
const SEED_CHARGRAM = 0x27d4eb2f;
const SEED_SIGN = 0x9e3779b9;
/** The reserved feature used for texts without any token. */
const EMPTY_FEATURE = 0x7f4a7c15;

/** `<` and `>` as word-boundary markers for character n-grams. */
const BOUNDARY_START = 0x3c;
const BOUNDARY_END = 0x3e;

const DIGITS_ONLY = /^\p{N}+$/u;

/** murmur3's 32-bit finaliser: spreads FNV-1a's weak low bits over the whole word. */
function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function hashString(s: string, seed: number): number {
  let h = FNV_OFFSET ^ seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return fmix32(h);
}

/** Hashes an ordered pair of feature hashes (bigrams). */
function hashPair(a: number, b: number): number {
  let h = FNV_OFFSET ^ SEED_BIGRAM;
  h = Math.imul(h ^ a, FNV_PRIME);
  h = Math.imul(h ^ b, FNV_PRIME);
  return fmix32(h);
}

/** A growable list of 32-bit feature hashes, reused across texts to avoid per-text allocation. */
class FeatureBuffer {
  data = new Uint32Array(1024);
  length = 0;

  push(h: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = h;
  }

  /** Sorted view of the collected hashes; equal hashes become adjacent runs (= term frequency). */
  sorted(): Uint32Array {
    return this.data.subarray(0, this.length).sort();
  }
}

/**
 * The per-embedder scratch state. Embedding a text is synchronous, so one set of buffers per
 * embedder is never shared by two texts at the same time.
 */
class Featurizer {
  private readonly unigrams = new FeatureBuffer();
  private readonly bigrams = new FeatureBuffer();
  private readonly chargrams = new FeatureBuffer();
  /** Surface-word code units framed by boundary markers, for allocation-free n-gram hashing. */
  private framed = new Uint16Array(64);

  constructor(private readonly dimension: number) {}

  embed(text: string): number[] {
    this.unigrams.length = 0;
    this.bigrams.length = 0;
    this.chargrams.length = 0;

    const tokens = tokenize(text);
    let content = tokens.filter((token) => !isStopWord(token));
    // A text made only of stop words ("to be or not to be") is still better described by them
    // than by the empty-text vector.
    if (content.length === 0) content = tokens;

    let previous = -1;
    for (const token of content) {
      const unigram = hashString(stem(token), SEED_UNIGRAM);
      this.unigrams.push(unigram);
      if (previous !== -1) this.bigrams.push(hashPair(previous, unigram));
      previous = unigram;
      if (token.length >= 2 && !DIGITS_ONLY.test(token)) this.pushCharGrams(token);
    }

    if (this.unigrams.length === 0) return emptyTextVector(this.dimension);
    const vector = new Float64Array(this.dimension);
    this.addCounted(vector, this.unigrams, UNIGRAM_WEIGHT);
    this.addCounted(vector, this.bigrams, BIGRAM_WEIGHT);
    this.addCounted(vector, this.chargrams, CHARGRAM_WEIGHT);
    return normalise(vector);
  }

  /** Character 3- and 4-grams of `<word>`, hashed straight from code units. */
  private pushCharGrams(word: string): void {
    const n = word.length + 2;
    if (this.framed.length < n) this.framed = new Uint16Array(n * 2);
    const framed = this.framed;
    framed[0] = BOUNDARY_START;
    for (let i = 0; i < word.length; i++) framed[i + 1] = word.charCodeAt(i);
    framed[n - 1] = BOUNDARY_END;
    for (let size = 3; size <= 4; size++) {
      for (let start = 0; start + size <= n; start++) {
        let h = FNV_OFFSET ^ SEED_CHARGRAM;
        for (let i = start; i < start + size; i++) {
          h ^= framed[i]!;
          h = Math.imul(h, FNV_PRIME);
        }
        this.chargrams.push(fmix32(h));
      }
    }
  }

  /** Adds each distinct feature once with weight × (1 + ln tf). */
  private addCounted(vector: Float64Array, buffer: FeatureBuffer, weight: number): void {
    const hashes = buffer.sorted();
    let i = 0;
    while (i < hashes.length) {
      const h = hashes[i]!;
      let j = i + 1;
      while (j < hashes.length && hashes[j] === h) j++;
      const tf = j - i;
      this.add(vector, h, tf === 1 ? weight : weight * (1 + Math.log(tf)));
      i = j;
    }
  }

  private add(vector: Float64Array, h: number, value: number): void {
    const bucket = h % this.dimension;
    vector[bucket] = vector[bucket]! + signOf(h) * value;
  }
}

/** L2-normalises into a plain array (the Embedder contract returns number[][]). */
function normalise(vector: Float64Array): number[] {
  let sumSquares = 0;
  for (let i = 0; i < vector.length; i++) sumSquares += vector[i]! * vector[i]!;
  // A zero sum is only reachable if every feature cancelled exactly against a colliding
  // opposite-sign one; answer with the empty-text vector rather than an undefined direction.
  if (sumSquares === 0) return emptyTextVector(vector.length);
  const inverse = 1 / Math.sqrt(sumSquares);
  const out = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! * inverse;
  return out;
}

/** The fixed unit vector of texts without tokens: the reserved EMPTY_FEATURE, hashed like any feature. */
function emptyTextVector(dimension: number): number[] {
  const out = new Array<number>(dimension).fill(0);
  out[EMPTY_FEATURE % dimension] = signOf(EMPTY_FEATURE);
  return out;
}

function signOf(h: number): 1 | -1 {
  return (fmix32(h ^ SEED_SIGN) & 1) === 1 ? -1 : 1;
}

/** How many texts to embed between yields to the event loop (keeps servers responsive, lets aborts land). */
const TEXTS_PER_SLICE = 256;

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof setImmediate === "function") setImmediate(resolve);
    else setTimeout(resolve, 0);
  });

function abortedError(signal: AbortSignal): RagKitError {
  return new RagKitError("aborted", "Embedding was aborted.", { cause: signal.reason });
}

function assertTexts(texts: readonly unknown[]): asserts texts is readonly string[] {
  if (!Array.isArray(texts))
    throw new ValidationError("Invalid embed input: texts must be an array of strings");
  const bad = texts.findIndex((t) => typeof t !== "string");
  if (bad !== -1) {
    throw new ValidationError(`Invalid embed input: texts[${bad}] is not a string`, {
      details: [{ path: String(bad), message: "must be a string" }],
    });
  }
}

/**
 * Deterministic hashed bag-of-features embedder; see the module comment for the model and its
 * limits. Same text + same dimension → bit-identical vector, on every platform, forever (for v1).
 */
export class OfflineEmbedder implements Embedder {
  readonly name = OFFLINE_EMBEDDER_NAME;
  readonly dimension: number;
  readonly #featurizer: Featurizer;

  constructor(options: OfflineEmbedderOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const validation = validationErrorFromZod("OfflineEmbedder options", parsed.error.issues);
      throw new ConfigError(validation.message, { details: validation.details });
    }
    this.dimension = parsed.data.dimension;
    this.#featurizer = new Featurizer(this.dimension);
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    const { signal } = options;
    if (signal?.aborted) throw abortedError(signal);
    assertTexts(texts);
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += TEXTS_PER_SLICE) {
      if (start > 0) {
        await yieldToEventLoop();
        if (signal?.aborted) throw abortedError(signal);
      }
      const end = Math.min(texts.length, start + TEXTS_PER_SLICE);
      for (let i = start; i < end; i++) vectors.push(this.#featurizer.embed(texts[i]!));
    }
    return vectors;
  }

  /** Synchronous single-text variant, for hot paths and tests. */
  embedSync(text: string): number[] {
    if (typeof text !== "string") throw new ValidationError("Invalid embed input: text must be a string");
    return this.#featurizer.embed(text);
  }
}

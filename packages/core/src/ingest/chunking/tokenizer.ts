/**
 * Token counting for the chunkers.
 *
 * Chunk sizes are token counts, `encode(text).length` of a `{ encode, decode }` tokenizer (LlamaIndex's
 * `Tokenizer` shape). The default one is cl100k_base (gpt-tokenizer, see splitter.ts; js-tiktoken's gives the
 * same tokens). Byte-pair tokenizers like these have two properties that are dangerous for an ingestion service
 * fed arbitrary documents:
 *
 * - its byte-pair merge is quadratic in the length of one pre-token, and long pre-tokens are common in
 *   real documents: CJK text has no spaces (5,000 CJK characters take ~26 s), as do base64 blobs, long
 *   runs of "=" or "-", and long whitespace runs (4,000 spaces take ~4.5 s);
 * - it throws on text that contains a special-token string such as `<|endoftext|>`.
 *
 * `createChunkTokenizer` wraps any tokenizer so that it encodes such input in bounded pieces: runs of
 * more than {@link MAX_RUN} non-whitespace (or whitespace) code points are encoded in pieces of at most
 * that many code points, and `<|` is never passed to the base tokenizer in one piece. The result is still
 * a real encoding (`decode(encode(text)) === text`); for ordinary prose it is token-for-token identical to
 * the base tokenizer, and for the pathological runs it may count at most one extra token per piece.
 */

/** Structural type of a tokenizer (LlamaIndex's `Tokenizer` shape): only `encode(text).length` is used. */
export interface ChunkTokenizer {
  encode(text: string): Uint32Array;
  decode(tokens: Uint32Array): string;
}

export function isChunkTokenizer(value: unknown): value is ChunkTokenizer {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { encode?: unknown; decode?: unknown };
  return typeof candidate.encode === "function" && typeof candidate.decode === "function";
}

/** Longest run (in code points) handed to the base tokenizer in one piece. */
export const MAX_RUN = 32;

const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}|\\s{${MAX_RUN + 1},}`, "gu");
const SAFE_TOKENIZER = Symbol("ragkit.safeTokenizer");

interface SafeTokenizer extends ChunkTokenizer {
  readonly [SAFE_TOKENIZER]: true;
}

export function createChunkTokenizer(base: ChunkTokenizer): ChunkTokenizer {
  if ((base as Partial<SafeTokenizer>)[SAFE_TOKENIZER] === true) return base;

  const encodePlain = (text: string, out: Uint32Array[]): void => {
    if (text === "") return;
    if (!text.includes("<|")) {
      out.push(base.encode(text));
      return;
    }
    // Encode "<" and "|…" separately so a special-token string is tokenized as ordinary text.
    let from = 0;
    for (let at = text.indexOf("<|"); at !== -1; at = text.indexOf("<|", at + 1)) {
      out.push(base.encode(text.slice(from, at + 1)));
      from = at + 1;
    }
    out.push(base.encode(text.slice(from)));
  };

  const safe: SafeTokenizer = {
    [SAFE_TOKENIZER]: true,
    encode(text: string): Uint32Array {
      const parts: Uint32Array[] = [];
      let from = 0;
      for (const match of text.matchAll(LONG_RUN)) {
        encodePlain(text.slice(from, match.index), parts);
        const run = match[0];
        let pieceStart = 0;
        let codePoints = 0;
        for (let i = 0; i < run.length; ) {
          const step = (run.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
          i += step;
          if (++codePoints === MAX_RUN) {
            encodePlain(run.slice(pieceStart, i), parts);
            pieceStart = i;
            codePoints = 0;
          }
        }
        encodePlain(run.slice(pieceStart), parts);
        from = match.index + run.length;
      }
      encodePlain(from === 0 ? text : text.slice(from), parts);
      if (parts.length === 1) return parts[0]!;
      let total = 0;
      for (const part of parts) total += part.length;
      const joined = new Uint32Array(total);
      let offset = 0;
      for (const part of parts) {
        joined.set(part, offset);
        offset += part.length;
      }
      return joined;
    },
    decode(tokens: Uint32Array): string {
      return base.decode(tokens);
    },
  };
  return safe;
}

/** A tokenizer that first maps `transform` over its input (decode is unchanged). */
export function mapTokenizerInput(
  tokenizer: ChunkTokenizer,
  transform: (text: string) => string,
): ChunkTokenizer {
  return {
    encode: (text) => tokenizer.encode(transform(text)),
    decode: (tokens) => tokenizer.decode(tokens),
  };
}

export type TokenCounter = (text: string) => number;

export function tokenCounter(tokenizer: ChunkTokenizer): TokenCounter {
  return (text) => (text === "" ? 0 : tokenizer.encode(text).length);
}

/** Entries a memoized counter keeps before it starts over (bounds its memory on huge documents). */
const MEMO_ENTRIES = 4096;

/**
 * `tokenCounter` that remembers counts by string, for one `chunkDocument` call: the splitter sizes a chunk and
 * `enforceLimits` then checks the very same text (a one-chunk document was BPE-encoded twice, ≈40 % of
 * chunking time). Counting is a pure function of the string, so a remembered count is the count.
 */
export function memoizedTokenCounter(tokenizer: ChunkTokenizer): TokenCounter {
  const count = tokenCounter(tokenizer);
  const memo = new Map<string, number>();
  return (text) => {
    const known = memo.get(text);
    if (known !== undefined) return known;
    const n = count(text);
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(text, n);
    return n;
  };
}

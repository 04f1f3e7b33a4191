/**
 * Lazy access to the sentence splitter and the default tokenizer.
 *
 * The splitter is `SentenceSplitter` (with `splitBySentenceTokenizer` and `splitBySep`) from
 * `@vectorstores/core`, the maintained continuation of LlamaIndex.TS's core package (`@llamaindex/core` is
 * deprecated): the same recursive split and greedy merge, so the same chunk boundaries. It sizes text with
 * a `tokenSizer` function instead of LlamaIndex's `{ encode, decode }` tokenizer.
 *
 * The default tokenizer is cl100k_base, the encoding LlamaIndex sizes chunks with, from `gpt-tokenizer`: the
 * same tokens as js-tiktoken (LlamaIndex's fallback, and the test oracle) at ~2.5× its speed and a third of its
 * start-up (`npm run bench:ingest` prints the chunking stage). Loading its ranks takes a few hundred ms, so
 * both are loaded on the first chunking call, not on `import "@ragkit/core"`.
 */
import type { SentenceSplitter, splitBySentenceTokenizer, splitBySep } from "@vectorstores/core";
import type { ChunkTokenizer } from "./tokenizer.js";

export interface SplitterModules {
  SentenceSplitter: typeof SentenceSplitter;
  splitBySentenceTokenizer: typeof splitBySentenceTokenizer;
  splitBySep: typeof splitBySep;
  /** cl100k_base (gpt-tokenizer), the tokenizer used when the caller gives none. */
  defaultTokenizer(): ChunkTokenizer;
}

let loading: Promise<SplitterModules> | undefined;

export function loadSplitter(): Promise<SplitterModules> {
  loading ??= Promise.all([import("@vectorstores/core"), import("gpt-tokenizer/encoding/cl100k_base")]).then(
    ([splitters, cl100k]) => {
      let tokenizer: ChunkTokenizer | undefined;
      return {
        SentenceSplitter: splitters.SentenceSplitter,
        splitBySentenceTokenizer: splitters.splitBySentenceTokenizer,
        splitBySep: splitters.splitBySep,
        defaultTokenizer: () => {
          // Special-token strings are ordinary text here (createChunkTokenizer also never passes "<|" whole).
          const plain = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() };
          tokenizer ??= {
            encode: (text) => Uint32Array.from(cl100k.encode(text, plain)),
            decode: (tokens) => cl100k.decode(Array.from(tokens)),
          };
          return tokenizer;
        },
      };
    },
    (error: unknown) => {
      loading = undefined; // let a later call retry instead of caching the failure
      throw error;
    },
  );
  return loading;
}

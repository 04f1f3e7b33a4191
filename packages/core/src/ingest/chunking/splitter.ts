/**
 * Lazy access to the sentence splitter and the default tokenizer.
 *
 * The splitter is `SentenceSplitter` (with `splitBySentenceTokenizer` and `splitBySep`) from
 * `@vectorstores/core`, the maintained continuation of LlamaIndex.TS's core package (`@llamaindex/core` is
 * deprecated): the same recursive split and greedy merge, so the same chunk boundaries. It sizes text with
 * a `tokenSizer` function instead of LlamaIndex's `{ encode, decode }` tokenizer.
 *
 * The default tokenizer is the one LlamaIndex used: js-tiktoken's cl100k_base. Building it decodes the
 * ranks (~0.5–1 s), so both are loaded on the first chunking call, not on `import "@ragkit/core"`.
 */
import type { SentenceSplitter, splitBySentenceTokenizer, splitBySep } from "@vectorstores/core";
import type { ChunkTokenizer } from "./tokenizer.js";

export interface SplitterModules {
  SentenceSplitter: typeof SentenceSplitter;
  splitBySentenceTokenizer: typeof splitBySentenceTokenizer;
  splitBySep: typeof splitBySep;
  /** cl100k_base (js-tiktoken), the tokenizer used when the caller gives none. */
  defaultTokenizer(): ChunkTokenizer;
}

let loading: Promise<SplitterModules> | undefined;

export function loadSplitter(): Promise<SplitterModules> {
  loading ??= Promise.all([
    import("@vectorstores/core"),
    import("js-tiktoken/lite"),
    import("js-tiktoken/ranks/cl100k_base"),
  ]).then(
    ([splitters, tiktoken, ranks]) => {
      let tokenizer: ChunkTokenizer | undefined;
      return {
        SentenceSplitter: splitters.SentenceSplitter,
        splitBySentenceTokenizer: splitters.splitBySentenceTokenizer,
        splitBySep: splitters.splitBySep,
        defaultTokenizer: () => {
          if (!tokenizer) {
            const encoding = new tiktoken.Tiktoken(ranks.default);
            tokenizer = {
              encode: (text) => Uint32Array.from(encoding.encode(text)),
              decode: (tokens) => encoding.decode(Array.from(tokens)),
            };
          }
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

/**
 * Lazy access to LlamaIndex.TS. `@llamaindex/core/node-parser` imports `@llamaindex/core/global`, whose
 * default tokenizer decodes the cl100k_base ranks at import time (~0.5–1 s). Importing it statically would
 * put that cost on every `import "@ragkit/core"`, so it is loaded on the first chunking call instead.
 */
import type { SentenceSplitter, splitBySentenceTokenizer, splitBySep } from "@llamaindex/core/node-parser";
import type { ChunkTokenizer } from "./tokenizer.js";

export interface LlamaIndexModules {
  SentenceSplitter: typeof SentenceSplitter;
  splitBySentenceTokenizer: typeof splitBySentenceTokenizer;
  splitBySep: typeof splitBySep;
  /** LlamaIndex's current tokenizer (`Settings.tokenizer`, which honours `Settings.withTokenizer`). */
  defaultTokenizer(): ChunkTokenizer;
}

let loading: Promise<LlamaIndexModules> | undefined;

export function loadLlamaIndex(): Promise<LlamaIndexModules> {
  loading ??= Promise.all([import("@llamaindex/core/node-parser"), import("@llamaindex/core/global")]).then(
    ([nodeParser, global]) => ({
      SentenceSplitter: nodeParser.SentenceSplitter,
      splitBySentenceTokenizer: nodeParser.splitBySentenceTokenizer,
      splitBySep: nodeParser.splitBySep,
      defaultTokenizer: () => global.Settings.tokenizer,
    }),
    (error: unknown) => {
      loading = undefined; // let a later call retry instead of caching the failure
      throw error;
    },
  );
  return loading;
}

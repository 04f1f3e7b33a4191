import { RagKitError } from "../../errors/index.js";
import type { LocatedSpan } from "./locate.js";
import type { SplitterModules } from "./splitter.js";
import type { ChunkTokenizer, TokenCounter } from "./tokenizer.js";

/** Everything a strategy needs, resolved once per `chunkDocument` call. */
export interface ChunkingEnv {
  /** The document text; every offset refers to it. */
  readonly text: string;
  readonly splitter: SplitterModules;
  /** The tokenizer used for sizes and `tokenCount` (already made safe by createChunkTokenizer). */
  readonly tokenizer: ChunkTokenizer;
  readonly countTokens: TokenCounter;
  /**
   * `text` as handed to LlamaIndex: same length and offsets, every "$" replaced by DOLLAR_STAND_IN.
   * LlamaIndex's sentence tokenizer puts URLs back with `String.replace`, which expands "$'" and "$&" in
   * them; a few such URLs make its output grow exponentially (five turn 150 characters into 1.7 MB).
   */
  readonly splitterText: string;
  /** `tokenizer` for strings taken from `splitterText` (counts them as the original text). */
  readonly splitterTokenizer: ChunkTokenizer;
  readonly countSplitterTokens: TokenCounter;
  readonly chunkSize: number;
  readonly chunkOverlap: number;
  /** LlamaIndex's paragraph separator, with "\n" rewritten to "\r\n" for CRLF documents. */
  readonly paragraphSeparator: string;
  readonly extraAbbreviations: readonly string[];
  /**
   * Texts longer than this many code units are fed to LlamaIndex in windows (see `splitRegion`), because
   * its sentence tokenizer is quadratic in the number of sentences of one paragraph.
   */
  readonly windowChars: number;
  readonly signal: AbortSignal | undefined;
}

export interface ChunkSpan extends LocatedSpan {
  tokenCount: number;
  /** Offset whose section names the chunk, when a bare heading was joined in front of its content. */
  sectionAnchor?: number;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new RagKitError("aborted", "Chunking was aborted.", { cause: signal.reason });
  }
}

/** Lets other work (and abort handlers) run between CPU-heavy steps on long documents. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

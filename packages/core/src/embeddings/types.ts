/** Anything that turns texts into fixed-length vectors. */
export interface Embedder {
  /** Stable identifier recorded with the store, e.g. "ragkit-hash-v1" or "openai:text-embedding-3-small". */
  readonly name: string;
  readonly dimension: number;
  /** Returns one vector of length `dimension` per input text, in order. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]>;
}

export interface EmbedOptions {
  signal?: AbortSignal;
  /** Queries and documents may be embedded differently (e.g. instruction prefixes); default "document". */
  kind?: "query" | "document";
}

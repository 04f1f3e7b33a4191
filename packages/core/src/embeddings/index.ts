export { EmbeddingApiError, type EmbeddingApiErrorOptions, parseRetryAfterMs } from "./http.js";
export { OFFLINE_EMBEDDER_NAME, OfflineEmbedder, type OfflineEmbedderOptions } from "./offline.js";
export {
  type EmbeddingsWithUsage,
  type EmbeddingUsage,
  OPENAI_DEFAULT_BASE_URL,
  OPENAI_DEFAULT_MODEL,
  OPENAI_EMBEDDING_MODELS,
  OpenAIEmbedder,
  type OpenAIEmbedderOptions,
  type OpenAIEmbeddingModelInfo,
} from "./openai.js";
export { RateLimiter, type RateLimiterOptions, type RequestLimiter } from "./rate-limiter.js";
export type { Embedder, EmbedOptions } from "./types.js";

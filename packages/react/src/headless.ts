/**
 * `@ragkit/react/headless`: the client and hooks only. No components, no UI kit, no CopilotKit; safe to import
 * in the lightest bundles.
 */

export type {
  DocumentListResponse,
  DocumentStatus,
  DocumentSummary,
  ErrorCode,
  ErrorDetail,
  ListDocumentsQuery,
  SearchMode,
  SearchRequest,
  SearchResponse,
  SearchResult,
} from "@ragkit/protocol";
export {
  type FetchLike,
  isAbortError,
  RagKitClient,
  RagKitClientError,
  type RagKitClientErrorCode,
  type RagKitClientOptions,
  type RequestOptions,
} from "./client.js";
export { type UseDocumentsOptions, type UseDocumentsResult, useDocuments } from "./hooks/use-documents.js";
export {
  type SearchParams,
  type SearchStatus,
  type UseRagSearchOptions,
  type UseRagSearchResult,
  useRagSearch,
} from "./hooks/use-rag-search.js";

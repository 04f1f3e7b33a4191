/**
 * `@ragkit/react/headless`: the client and hooks only. No components, no UI kit, no CopilotKit, no recharts;
 * safe to import in the lightest bundles.
 */

export type {
  ChartSpec,
  ChatApprovalDecision,
  ChatCitation,
  ChatEvent,
  ChatInterrupt,
  ChatToolCall,
  ChatValidation,
  DocumentListResponse,
  DocumentStatus,
  DocumentSummary,
  ErrorCode,
  ErrorDetail,
  JobSummary,
  ListDocumentsQuery,
  SearchMode,
  SearchRequest,
  SearchResponse,
  SearchResult,
  ThreadDetail,
  ThreadSummary,
} from "@ragkit/protocol";
/** Route paths from the protocol's route table (e.g. `pathTo("runEvents", { id })` for an EventSource). */
export { pathTo, type RouteName } from "@ragkit/protocol/routes";
export {
  type FetchLike,
  isAbortError,
  RagKitClient,
  RagKitClientError,
  type RagKitClientErrorCode,
  type RagKitClientOptions,
  type RequestOptions,
  type StreamRequest,
} from "./client.js";
export { useAgentState } from "./hooks/use-agent-state.js";
export { type UseDocumentsOptions, type UseDocumentsResult, useDocuments } from "./hooks/use-documents.js";
export { type JobProgress, type UseJobsOptions, type UseJobsResult, useJobs } from "./hooks/use-jobs.js";
export {
  type SearchParams,
  type SearchStatus,
  type UseRagSearchOptions,
  type UseRagSearchResult,
  useRagSearch,
} from "./hooks/use-rag-search.js";
export {
  type UseStreamingResponseOptions,
  type UseStreamingResponseResult,
  useStreamingResponse,
} from "./hooks/use-streaming-response.js";
export {
  newThreadId,
  type UseThreadsOptions,
  type UseThreadsResult,
  useThreads,
} from "./hooks/use-threads.js";
export { type AgentView, type FoundDocument, toAgentView } from "./stream/agent-view.js";
export {
  type AgentRunState,
  applyChatEvent,
  type ChatStatus,
  initialRunState,
  isTerminal,
} from "./stream/chat-state.js";
export { readSse, type SseFrame } from "./stream/sse.js";

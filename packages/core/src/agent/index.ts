export type {
  ApprovalDecision,
  ApprovalRequest,
  ApprovalState,
  ApprovalStep,
  PendingInterrupt,
} from "./approval.js";
export {
  approvalArgsSchemas,
  approvalDecisionSchema,
  approvalNote,
  approvalReplyDecision,
  approvalRequestSchema,
  parseDecision,
  pendingInterruptSchema,
  requestApproval,
} from "./approval.js";
export type { CheckpointStore } from "./checkpointer.js";
export { isCheckpointStore, TenantCheckpointSaver } from "./checkpointer.js";
export type { AppContextItem, ClientTool, ClientToolInput, ClientToolRound } from "./client-tools.js";
export {
  APP_CONTEXT_LIMITS,
  appContextItemSchema,
  boundAppContext,
  clientToolSchema,
  clientToolsSchema,
  SERVER_TOOL_NAMES,
} from "./client-tools.js";
export type { AgentEvent, AgentEventOf, AgentEventType, CustomPayload } from "./events.js";
export { agentEventSchema } from "./events.js";
export type {
  AgentContinueOptions,
  AgentResumeOptions,
  AgentRunResult,
  AgentStore,
  AgentStreamOptions,
  AgentToolResultsOptions,
  CheckpointState,
  CheckpointSummary,
  ClientRunOptions,
  ForkOptions,
  ForkResult,
  RagAgent,
  RagAgentOptions,
  RagGraph,
} from "./graph.js";
export { buildRagGraph, createRagAgent, DEFAULT_MAX_MESSAGE_BYTES, tenantFromConfig } from "./graph.js";
export * from "./llm/index.js";
export type { ConversationMessage, ConversationToolCall } from "./messages.js";
export { conversationMessageSchema, conversationOf, conversationToolCallSchema } from "./messages.js";
export type {
  AgentModels,
  AnalyzeInput,
  AnswerInput,
  AnswerOutput,
  ClientModelInput,
  HistoryTurn,
  JudgeInput,
  ModelCallbacks,
  RerankInput,
  RespondInput,
  RespondOutput,
  RewriteInput,
} from "./models.js";
export { MAX_ANSWER_ATTEMPTS } from "./nodes/validate.js";
export {
  classifyIntent,
  EXTRACTIVE_PREFACE,
  NO_ANSWER,
  offlineAnalyze,
  offlineAnswer,
  offlineModels,
  offlineRerank,
  offlineRespond,
  offlineRewrite,
} from "./offline.js";
export {
  DEFAULT_RERANK_THRESHOLD,
  routeAfterAnalyze,
  routeAfterGenerate,
  routeAfterQuery,
  routeAfterRetrieve,
  routeStart,
} from "./routing.js";
export * from "./state.js";
export type { AgentToolsOptions } from "./tools.js";
export {
  createAgentTools,
  createVisualizationArgs,
  queryDatabaseArgs,
  runToolCall,
  searchKnowledgeBaseArgs,
} from "./tools.js";
export type { ModelUsage, RunUsage } from "./usage.js";
export { modelUsageSchema, recordRunUsage, runUsageSchema, sumUsage } from "./usage.js";
export type { ValidateInput, ValidateOptions } from "./validate.js";
export { splitClaims, validateAnswer } from "./validate.js";

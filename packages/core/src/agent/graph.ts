/**
 * The RAG agent: a LangGraph.js StateGraph (`build.ts`, nodes in `nodes/`) and the runtime around it
 * (`runtime.ts`: streaming, approvals, continue, fork and time travel). This module keeps the original import path.
 */
export { buildRagGraph, type RagGraph } from "./build.js";
export { tenantFromConfig } from "./nodes/common.js";
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
} from "./options.js";
export { createRagAgent, DEFAULT_MAX_MESSAGE_BYTES } from "./runtime.js";

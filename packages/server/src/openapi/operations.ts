import {
  auditListResponseSchema,
  chatRequestSchema,
  checkpointListResponseSchema,
  connectorListResponseSchema,
  connectorResponseSchema,
  createConnectorRequestSchema,
  datasetListResponseSchema,
  documentContentResponseSchema,
  documentListResponseSchema,
  documentResponseSchema,
  forkRequestSchema,
  forkResponseSchema,
  healthResponseSchema,
  jobListResponseSchema,
  jobResponseSchema,
  listAuditQuerySchema,
  listDocumentsQuerySchema,
  listJobsQuerySchema,
  listThreadsQuerySchema,
  readyResponseSchema,
  renameThreadRequestSchema,
  resumeRequestSchema,
  runResponseSchema,
  searchRequestSchema,
  searchResponseSchema,
  syncResponseSchema,
  textDocumentRequestSchema,
  threadListResponseSchema,
  threadResponseSchema,
  threadSummaryResponseSchema,
  updateConnectorRequestSchema,
  uploadResponseSchema,
} from "@ragkit/protocol";
import type { z } from "zod";

type Schema = z.ZodType;

export interface OperationDoc {
  summary: string;
  description?: string;
  tag: string;
  query?: Schema;
  /** JSON request body; `multipart` adds a multipart/form-data alternative (file uploads). */
  body?: Schema;
  multipart?: boolean;
  /** The success answer: status, and a JSON schema or an SSE stream description. */
  success: { status: number; schema?: Schema; sse?: string; description?: string };
}

/**
 * Documentation of each route, keyed `"METHOD /path"`. The OpenAPI document is generated from the live route
 * table, so a route missing here still appears (with a generic summary) and a test flags it.
 */
export const operations: Record<string, OperationDoc> = {
  "GET /health": {
    summary: "Liveness: the process is up",
    tag: "health",
    success: { status: 200, schema: healthResponseSchema },
  },
  "GET /ready": {
    summary: "Readiness: the database answers and migrations are applied",
    tag: "health",
    success: { status: 200, schema: readyResponseSchema },
  },
  "GET /openapi.json": {
    summary: "This OpenAPI 3.0 document",
    tag: "health",
    success: { status: 200, description: "OpenAPI document" },
  },
  "POST /search": {
    summary: "Hybrid (BM25 + dense) search in the caller's tenant",
    tag: "search",
    body: searchRequestSchema,
    success: { status: 200, schema: searchResponseSchema },
  },
  "GET /documents": {
    summary: "List the tenant's documents (cursor pagination, status filter)",
    tag: "documents",
    query: listDocumentsQuerySchema,
    success: { status: 200, schema: documentListResponseSchema },
  },
  "POST /documents": {
    summary:
      "Upload files (multipart, any field name; optional `metadata` JSON field) or a JSON text document",
    description:
      "Validated completely (size, count, file type from content) before anything is queued; answers 202 with one ingestion job per file.",
    tag: "documents",
    body: textDocumentRequestSchema,
    multipart: true,
    success: { status: 202, schema: uploadResponseSchema },
  },
  "GET /documents/{id}": {
    summary: "One document's metadata",
    tag: "documents",
    success: { status: 200, schema: documentResponseSchema },
  },
  "GET /documents/{id}/content": {
    summary: "The extracted text that chunk offsets and citations point into",
    tag: "documents",
    success: { status: 200, schema: documentContentResponseSchema },
  },
  "DELETE /documents/{id}": {
    summary: "Delete a document and its chunks",
    tag: "documents",
    success: { status: 204, description: "Deleted" },
  },
  "POST /documents/{id}/reindex": {
    summary: "Re-chunk and re-embed a document from its stored text (current settings)",
    tag: "documents",
    success: { status: 202, schema: jobResponseSchema },
  },
  "GET /jobs": {
    summary: "The tenant's recent ingestion jobs",
    tag: "jobs",
    query: listJobsQuerySchema,
    success: { status: 200, schema: jobListResponseSchema },
  },
  "GET /jobs/{id}": {
    summary: "One ingestion job: state, progress, attempts, error, result",
    tag: "jobs",
    success: { status: 200, schema: jobResponseSchema },
  },
  "GET /jobs/{id}/events": {
    summary: "Job progress as server-sent events (resumable with Last-Event-ID)",
    tag: "jobs",
    success: {
      status: 200,
      sse: "`event: progress` frames whose data is a JobEvent; the stream ends after done / failed / cancelled.",
    },
  },
  "POST /jobs/{id}/cancel": {
    summary: "Cancel a queued or running job",
    tag: "jobs",
    success: { status: 200, schema: jobResponseSchema },
  },
  "POST /jobs/{id}/retry": {
    summary: "Queue a failed job again",
    tag: "jobs",
    success: { status: 200, schema: jobResponseSchema },
  },
  "GET /audit": {
    summary: "The tenant's audit trail, newest first",
    tag: "audit",
    query: listAuditQuerySchema,
    success: { status: 200, schema: auditListResponseSchema },
  },
  "GET /datasets": {
    summary: "The datasets the tenant can ask questions of: columns, types, roles, its own sample values",
    tag: "datasets",
    success: { status: 200, schema: datasetListResponseSchema },
  },
  "POST /chat/stream": {
    summary: "Send a message and stream the agent's run (plain SSE, resumable)",
    tag: "chat",
    body: chatRequestSchema,
    success: {
      status: 200,
      sse: "Typed chat events (`start`, `state`, `thought`, `token`, `tool_call`, `citations`, `validation`, `interrupt`, `done`, `error`) with monotonically increasing ids; see docs/streaming.md.",
    },
  },
  "GET /runs/{id}/events": {
    summary: "Reconnect to a run: the events after Last-Event-ID, then the live tail",
    tag: "chat",
    success: {
      status: 200,
      sse: "Typed chat events (`start`, `state`, `thought`, `token`, `tool_call`, `citations`, `validation`, `interrupt`, `done`, `error`) with monotonically increasing ids; see docs/streaming.md.",
    },
  },
  "GET /runs/{id}": {
    summary: "A run's status",
    tag: "chat",
    success: { status: 200, schema: runResponseSchema },
  },
  "POST /runs/{id}/stop": {
    summary: "Stop a run (on any replica)",
    tag: "chat",
    success: { status: 202, schema: runResponseSchema },
  },
  "GET /threads": {
    summary: "The caller's conversations, newest first",
    tag: "threads",
    query: listThreadsQuerySchema,
    success: { status: 200, schema: threadListResponseSchema },
  },
  "GET /threads/{id}": {
    summary: "A conversation: messages, state, pending approval, runs",
    tag: "threads",
    success: { status: 200, schema: threadResponseSchema },
  },
  "GET /threads/{id}/checkpoints": {
    summary: "A conversation's checkpoints (time travel)",
    tag: "threads",
    success: { status: 200, schema: checkpointListResponseSchema },
  },
  "POST /threads/{id}/fork": {
    summary: "Fork a conversation at a checkpoint",
    tag: "threads",
    body: forkRequestSchema,
    success: { status: 201, schema: forkResponseSchema },
  },
  "POST /threads/{id}/resume": {
    summary: "Answer a pending approval (approve / reject / edit) and stream the resumed run",
    tag: "threads",
    body: resumeRequestSchema,
    success: {
      status: 200,
      sse: "Typed chat events (`start`, `state`, `thought`, `token`, `tool_call`, `citations`, `validation`, `interrupt`, `done`, `error`) with monotonically increasing ids; see docs/streaming.md.",
    },
  },
  "PATCH /threads/{id}": {
    summary: "Rename a conversation",
    tag: "threads",
    body: renameThreadRequestSchema,
    success: { status: 200, schema: threadSummaryResponseSchema },
  },
  "DELETE /threads/{id}": {
    summary: "Delete a conversation, its checkpoints and runs",
    tag: "threads",
    success: { status: 204, description: "Deleted" },
  },
  "GET /copilotkit/info": {
    summary: "CopilotKit runtime discovery: the agents this server offers",
    tag: "copilotkit",
    success: { status: 200, description: "Runtime info (version, agents, mode)" },
  },
  "POST /copilotkit/agent/{agentId}/run": {
    summary: "CopilotKit/AG-UI: run the agent with a RunAgentInput",
    tag: "copilotkit",
    success: {
      status: 200,
      sse: "AG-UI 0.0.59 events (RUN_STARTED … TEXT_MESSAGE_* … STATE_DELTA … RUN_FINISHED/RUN_ERROR); see docs/streaming.md.",
    },
  },
  "POST /copilotkit/agent/{agentId}/connect": {
    summary: "CopilotKit/AG-UI: replay a thread's messages, state and pending approval from Postgres",
    tag: "copilotkit",
    success: {
      status: 200,
      sse: "AG-UI 0.0.59 events (RUN_STARTED … TEXT_MESSAGE_* … STATE_DELTA … RUN_FINISHED/RUN_ERROR); see docs/streaming.md.",
    },
  },
  "POST /copilotkit/agent/{agentId}/stop/{threadId}": {
    summary: "CopilotKit/AG-UI: stop the thread's active run",
    tag: "copilotkit",
    success: { status: 200, description: "Stopped" },
  },
  "POST /copilotkit": {
    summary:
      "CopilotKit single-endpoint transport: { method, params, body } envelope for info / agent/run / agent/connect / agent/stop",
    tag: "copilotkit",
    success: { status: 200, description: "As the enveloped method answers (JSON or SSE)" },
  },
  "POST /connectors": {
    summary: "Create a connector (S3, SharePoint, URL list; directories when the server allows them)",
    description: "Credentials are encrypted at rest (AES-256-GCM) and never returned.",
    tag: "connectors",
    body: createConnectorRequestSchema,
    success: { status: 201, schema: connectorResponseSchema },
  },
  "GET /connectors": {
    summary: "The tenant's connectors (no credentials)",
    tag: "connectors",
    success: { status: 200, schema: connectorListResponseSchema },
  },
  "GET /connectors/{id}": {
    summary: "One connector (no credentials) and its last sync",
    tag: "connectors",
    success: { status: 200, schema: connectorResponseSchema },
  },
  "PATCH /connectors/{id}": {
    summary: "Rename, replace the configuration or the credentials",
    tag: "connectors",
    body: updateConnectorRequestSchema,
    success: { status: 200, schema: connectorResponseSchema },
  },
  "DELETE /connectors/{id}": {
    summary: "Delete a connector (and its documents with ?deleteDocuments=true)",
    tag: "connectors",
    success: { status: 204, description: "Deleted" },
  },
  "POST /connectors/{id}/sync": {
    summary:
      "Sync now: incremental, resumable; JSON summary with job ids, or SSE progress with Accept: text/event-stream",
    tag: "connectors",
    success: { status: 200, schema: syncResponseSchema },
  },
};

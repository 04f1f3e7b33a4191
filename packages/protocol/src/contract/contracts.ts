import type { z } from "zod";
import { auditListResponseSchema, listAuditQuerySchema } from "../audit.js";
import { chatRequestSchema, runResponseSchema } from "../chat.js";
import {
  connectorListResponseSchema,
  connectorResponseSchema,
  createConnectorRequestSchema,
  deleteConnectorQuerySchema,
  syncResponseSchema,
  updateConnectorRequestSchema,
} from "../connectors.js";
import { datasetListResponseSchema } from "../datasets.js";
import {
  documentContentResponseSchema,
  documentListResponseSchema,
  documentResponseSchema,
  listDocumentsQuerySchema,
  textDocumentRequestSchema,
  uploadResponseSchema,
} from "../documents.js";
import { healthResponseSchema, readyResponseSchema } from "../health.js";
import { jobListResponseSchema, jobResponseSchema, listJobsQuerySchema } from "../jobs.js";
import { searchRequestSchema, searchResponseSchema } from "../search.js";
import {
  checkpointListResponseSchema,
  forkRequestSchema,
  forkResponseSchema,
  listCheckpointsQuerySchema,
  listThreadsQuerySchema,
  renameThreadRequestSchema,
  resumeRequestSchema,
  threadListResponseSchema,
  threadResponseSchema,
  threadSummaryResponseSchema,
} from "../threads.js";
import { type RouteName, routeTable } from "./table.js";

/** What a route takes and answers, beyond its method and path (./table.ts). */
export interface RouteSchemas {
  summary: string;
  description?: string;
  /** The OpenAPI tag (one per resource). */
  tag: string;
  /** Names the input in a 400's message ("Invalid search request: …"). */
  what?: string;
  /** Query-string parameters (all strings on the wire; the schema coerces). */
  query?: z.ZodType;
  /** The JSON request body. */
  body?: z.ZodType;
  /** Also accepts multipart/form-data (file uploads). */
  multipart?: true;
  /** The success answer: its status, and a JSON body schema or a description of the SSE stream or of the body. */
  response: { status: number; schema?: z.ZodType; sse?: string; description?: string };
}

const chatEvents =
  "Typed chat events (`start`, `state`, `thought`, `token`, `tool_call`, `citations`, `validation`, `interrupt`, `done`, `error`) with monotonically increasing ids; see docs/streaming.md.";
const aguiEvents =
  "AG-UI 0.0.59 events (RUN_STARTED … TEXT_MESSAGE_* … STATE_DELTA … RUN_FINISHED/RUN_ERROR); see docs/streaming.md.";

const schemas = {
  health: {
    summary: "Liveness: the process is up",
    tag: "health",
    response: { status: 200, schema: healthResponseSchema },
  },
  ready: {
    summary: "Readiness: the database answers and migrations are applied",
    tag: "health",
    response: { status: 200, schema: readyResponseSchema },
  },
  openapi: {
    summary: "This OpenAPI 3.0 document",
    tag: "health",
    response: { status: 200, description: "OpenAPI document" },
  },
  search: {
    summary: "Hybrid (BM25 + dense) search in the caller's tenant",
    tag: "search",
    what: "search request",
    body: searchRequestSchema,
    response: { status: 200, schema: searchResponseSchema },
  },
  listDocuments: {
    summary: "List the tenant's documents (cursor pagination, status filter)",
    tag: "documents",
    what: "document list query",
    query: listDocumentsQuerySchema,
    response: { status: 200, schema: documentListResponseSchema },
  },
  uploadDocuments: {
    summary:
      "Upload files (multipart, any field name; optional `metadata` JSON field) or a JSON text document",
    description:
      "Validated completely (size, count, file type from content) before anything is queued; answers 202 with one ingestion job per file.",
    tag: "documents",
    what: "text document",
    body: textDocumentRequestSchema,
    multipart: true,
    response: { status: 202, schema: uploadResponseSchema },
  },
  getDocument: {
    summary: "One document's metadata",
    tag: "documents",
    response: { status: 200, schema: documentResponseSchema },
  },
  getDocumentContent: {
    summary: "The extracted text that chunk offsets and citations point into",
    tag: "documents",
    response: { status: 200, schema: documentContentResponseSchema },
  },
  deleteDocument: {
    summary: "Delete a document and its chunks",
    tag: "documents",
    response: { status: 204, description: "Deleted" },
  },
  reindexDocument: {
    summary: "Re-chunk and re-embed a document from its stored text (current settings)",
    tag: "documents",
    response: { status: 202, schema: jobResponseSchema },
  },
  listJobs: {
    summary: "The tenant's recent ingestion jobs",
    tag: "jobs",
    what: "job list query",
    query: listJobsQuerySchema,
    response: { status: 200, schema: jobListResponseSchema },
  },
  getJob: {
    summary: "One ingestion job: state, progress, attempts, error, result",
    tag: "jobs",
    response: { status: 200, schema: jobResponseSchema },
  },
  jobEvents: {
    summary: "Job progress as server-sent events (resumable with Last-Event-ID)",
    tag: "jobs",
    response: {
      status: 200,
      sse: "`event: progress` frames whose data is a JobEvent; the stream ends after done / failed / cancelled.",
    },
  },
  cancelJob: {
    summary: "Cancel a queued or running job",
    tag: "jobs",
    response: { status: 200, schema: jobResponseSchema },
  },
  retryJob: {
    summary: "Queue a failed job again",
    tag: "jobs",
    response: { status: 200, schema: jobResponseSchema },
  },
  listAudit: {
    summary: "The tenant's audit trail, newest first",
    tag: "audit",
    what: "audit query",
    query: listAuditQuerySchema,
    response: { status: 200, schema: auditListResponseSchema },
  },
  listDatasets: {
    summary: "The datasets the tenant can ask questions of: columns, types, roles, its own sample values",
    tag: "datasets",
    response: { status: 200, schema: datasetListResponseSchema },
  },
  chatStream: {
    summary: "Send a message and stream the agent's run (plain SSE, resumable)",
    tag: "chat",
    what: "chat request",
    body: chatRequestSchema,
    response: { status: 200, sse: chatEvents },
  },
  runEvents: {
    summary: "Reconnect to a run: the events after Last-Event-ID, then the live tail",
    tag: "chat",
    response: { status: 200, sse: chatEvents },
  },
  getRun: { summary: "A run's status", tag: "chat", response: { status: 200, schema: runResponseSchema } },
  stopRun: {
    summary: "Stop a run (on any replica)",
    tag: "chat",
    response: { status: 202, schema: runResponseSchema },
  },
  listThreads: {
    summary: "The caller's conversations, newest first",
    tag: "threads",
    what: "thread list query",
    query: listThreadsQuerySchema,
    response: { status: 200, schema: threadListResponseSchema },
  },
  getThread: {
    summary: "A conversation: messages, state, pending approval, runs",
    tag: "threads",
    response: { status: 200, schema: threadResponseSchema },
  },
  renameThread: {
    summary: "Rename a conversation",
    tag: "threads",
    what: "thread rename",
    body: renameThreadRequestSchema,
    response: { status: 200, schema: threadSummaryResponseSchema },
  },
  deleteThread: {
    summary: "Delete a conversation, its checkpoints and runs",
    tag: "threads",
    response: { status: 204, description: "Deleted" },
  },
  listCheckpoints: {
    summary: "A conversation's checkpoints (time travel)",
    tag: "threads",
    what: "checkpoint list query",
    query: listCheckpointsQuerySchema,
    response: { status: 200, schema: checkpointListResponseSchema },
  },
  forkThread: {
    summary: "Fork a conversation at a checkpoint",
    tag: "threads",
    what: "fork request",
    body: forkRequestSchema,
    response: { status: 201, schema: forkResponseSchema },
  },
  resumeThread: {
    summary: "Answer a pending approval (approve / reject / edit) and stream the resumed run",
    tag: "threads",
    what: "resume request",
    body: resumeRequestSchema,
    response: { status: 200, sse: chatEvents },
  },
  createConnector: {
    summary: "Create a connector (S3, SharePoint, URL list; directories when the server allows them)",
    description: "Credentials are encrypted at rest (AES-256-GCM) and never returned.",
    tag: "connectors",
    what: "connector",
    body: createConnectorRequestSchema,
    response: { status: 201, schema: connectorResponseSchema },
  },
  listConnectors: {
    summary: "The tenant's connectors (no credentials)",
    tag: "connectors",
    response: { status: 200, schema: connectorListResponseSchema },
  },
  getConnector: {
    summary: "One connector (no credentials) and its last sync",
    tag: "connectors",
    response: { status: 200, schema: connectorResponseSchema },
  },
  updateConnector: {
    summary: "Rename, replace the configuration or the credentials",
    tag: "connectors",
    what: "connector update",
    body: updateConnectorRequestSchema,
    response: { status: 200, schema: connectorResponseSchema },
  },
  deleteConnector: {
    summary: "Delete a connector (and its documents with ?deleteDocuments=true)",
    tag: "connectors",
    what: "connector delete query",
    query: deleteConnectorQuerySchema,
    response: { status: 204, description: "Deleted" },
  },
  syncConnector: {
    summary:
      "Sync now: incremental, resumable; JSON summary with job ids, or SSE progress with Accept: text/event-stream",
    tag: "connectors",
    response: { status: 200, schema: syncResponseSchema },
  },
  copilotkit: {
    summary:
      "CopilotKit single-endpoint transport: { method, params, body } envelope for info / agent/run / agent/connect / agent/stop",
    tag: "copilotkit",
    response: { status: 200, description: "As the enveloped method answers (JSON or SSE)" },
  },
  copilotkitInfo: {
    summary: "CopilotKit runtime discovery: the agents this server offers",
    tag: "copilotkit",
    response: { status: 200, description: "Runtime info (version, agents, mode)" },
  },
  copilotkitRun: {
    summary: "CopilotKit/AG-UI: run the agent with a RunAgentInput",
    tag: "copilotkit",
    response: { status: 200, sse: aguiEvents },
  },
  copilotkitConnect: {
    summary: "CopilotKit/AG-UI: replay a thread's messages, state and pending approval from Postgres",
    tag: "copilotkit",
    response: { status: 200, sse: aguiEvents },
  },
  copilotkitStop: {
    summary: "CopilotKit/AG-UI: stop the thread's active run",
    tag: "copilotkit",
    response: { status: 200, description: "Stopped" },
  },
} as const satisfies { readonly [N in RouteName]: RouteSchemas };

type Schemas = typeof schemas;

/** A route's whole contract: its method, path and auth from the route table, and its schemas. */
export type RouteContract<N extends RouteName> = (typeof routeTable)[N] & Schemas[N];

/** Every route's contract, keyed by route name (see `routeTable`). Pure: a bundle that does not use it drops it. */
export const contracts = /* @__PURE__ */ Object.fromEntries(
  (Object.keys(routeTable) as RouteName[]).map((name) => [name, { ...routeTable[name], ...schemas[name] }]),
) as { readonly [N in RouteName]: RouteContract<N> };

type SchemaOf<N extends RouteName, K extends "query" | "body"> = Schemas[N] extends {
  readonly [P in K]: infer S extends z.ZodType;
}
  ? S
  : never;

/** The parsed request body of a route (after defaults), `never` for routes without one. */
export type RequestBody<N extends RouteName> = z.output<SchemaOf<N, "body">>;
/** What a client sends as the body (before defaults). */
export type RequestBodyInput<N extends RouteName> = z.input<SchemaOf<N, "body">>;
/** The parsed query of a route, `never` for routes without one. */
export type RequestQuery<N extends RouteName> = z.output<SchemaOf<N, "query">>;
/** What a client passes as the query (before coercion and defaults). */
export type RequestQueryInput<N extends RouteName> = z.input<SchemaOf<N, "query">>;
/** The JSON body of a route's success answer, `never` for routes that answer with a stream or no content. */
export type ResponseBody<N extends RouteName> = Schemas[N]["response"] extends {
  readonly schema: infer S extends z.ZodType;
}
  ? z.output<S>
  : never;

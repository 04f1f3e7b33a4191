import type { Req } from "./attempts.js";
import type { Fixtures } from "./world.js";

/**
 * The attack surface, one entry per operation of the OpenAPI document. The suite reads the operations from the
 * running server's `/openapi.json` and fails for an operation that has no entry here, or an id-bearing one
 * without a cross-tenant attack: a new route cannot ship unattacked.
 */

export type Family =
  /** Another tenant's ids must answer exactly like missing ones. */
  | "cross-tenant"
  /** The answer lists or returns tenant rows: scanned for the other tenant's markers, both ways. */
  | "list"
  /** Tenant fields in query, headers and JSON body are ignored. */
  | "injection"
  /** Every bad token is a 401 (authenticated routes, from the document's `security`). */
  | "jwt"
  /** Connector endpoints: the SSRF targets. */
  | "ssrf"
  /** The chat paths that reach the SQL tool. */
  | "sql"
  /** Public, tenant-free routes: scanned, never tenant data. */
  | "public";

type IdKind = "documentId" | "jobId" | "connectorId" | "threadId" | "runId";

export interface RouteAttack {
  families: readonly Family[];
  /** A well-formed request of the caller's own (`me`: its fixtures). */
  own(me: Fixtures, token: string): Req;
  /** Id-bearing routes: the request naming `id` (the other tenant's, or a look-alike that exists nowhere). */
  at?: {
    id: IdKind;
    request(id: string, me: Fixtures, token: string): Req;
    /**
     * The route creates a resource of the caller's own under an unknown id (client-chosen thread ids): the
     * attack uses a fresh id of the other tenant, so the caller's new thread does not shadow the fixture's.
     */
    creates?: true;
  };
  /** Changes or consumes the caller's fixtures: `own` is never sent (attacks use `at` with foreign ids). */
  destructive?: boolean;
}

const json = (value: unknown) => JSON.stringify(value);
const get = (path: string, token: string | null): Req => ({ method: "GET", path, token });
const post = (path: string, token: string | null, body?: unknown): Req => ({
  method: "POST",
  path,
  token,
  ...(body === undefined ? {} : { body: json(body) }),
});
const del = (path: string, token: string): Req => ({ method: "DELETE", path, token });
const byId = (id: IdKind, method: Req["method"], path: (id: string) => string, body?: unknown) => ({
  id,
  request: (value: string, _me: Fixtures, token: string): Req => ({
    method,
    path: path(value),
    token,
    ...(body === undefined ? {} : { body: json(body) }),
  }),
});
const runInput = (threadId: string, over: Record<string, unknown> = {}) => ({
  threadId,
  runId: `attack-${crypto.randomUUID()}`,
  messages: [{ id: `m-${crypto.randomUUID()}`, role: "user", content: "What is the budget?" }],
  state: {},
  tools: [],
  context: [],
  forwardedProps: {},
  ...over,
});

export const routeAttacks: Record<string, RouteAttack> = {
  // ---- public ----
  "GET /health": { families: ["public"], own: () => get("/health", null) },
  "GET /ready": { families: ["public"], own: () => get("/ready", null) },
  "GET /openapi.json": { families: ["public"], own: () => get("/openapi.json", null) },
  "GET /copilotkit/info": { families: ["public"], own: () => get("/copilotkit/info", null) },

  // ---- search and documents ----
  "POST /search": {
    families: ["list", "injection", "jwt", "cross-tenant"],
    own: (_, t) => post("/search", t, { query: "project budget euros", topK: 20 }),
    // Restricting a search to another tenant's document finds nothing, like a document that does not exist.
    at: {
      id: "documentId",
      request: (id, _, t) => post("/search", t, { query: "project budget euros", documentIds: [id] }),
    },
  },
  "GET /documents": { families: ["list", "injection", "jwt"], own: (_, t) => get("/documents", t) },
  "POST /documents": {
    families: ["injection", "jwt"],
    own: (_, t) => post("/documents", t, { title: "Injected note", text: "A note about the budget." }),
  },
  "GET /documents/{id}": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/documents/${me.documentId}`, t),
    at: byId("documentId", "GET", (id) => `/documents/${id}`),
  },
  "GET /documents/{id}/content": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/documents/${me.documentId}/content`, t),
    at: byId("documentId", "GET", (id) => `/documents/${id}/content`),
  },
  "DELETE /documents/{id}": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true,
    own: (me, t) => del(`/documents/${me.documentId}`, t),
    at: byId("documentId", "DELETE", (id) => `/documents/${id}`),
  },
  "POST /documents/{id}/reindex": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true,
    own: (me, t) => post(`/documents/${me.documentId}/reindex`, t),
    at: byId("documentId", "POST", (id) => `/documents/${id}/reindex`),
  },

  // ---- jobs and audit ----
  "GET /jobs": { families: ["list", "injection", "jwt"], own: (_, t) => get("/jobs", t) },
  "GET /jobs/{id}": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/jobs/${me.jobId}`, t),
    at: byId("jobId", "GET", (id) => `/jobs/${id}`),
  },
  "GET /jobs/{id}/events": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/jobs/${me.jobId}/events`, t),
    at: byId("jobId", "GET", (id) => `/jobs/${id}/events`),
  },
  "POST /jobs/{id}/cancel": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true,
    own: (me, t) => post(`/jobs/${me.jobId}/cancel`, t),
    at: byId("jobId", "POST", (id) => `/jobs/${id}/cancel`),
  },
  "POST /jobs/{id}/retry": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true,
    own: (me, t) => post(`/jobs/${me.jobId}/retry`, t),
    at: byId("jobId", "POST", (id) => `/jobs/${id}/retry`),
  },
  "GET /audit": { families: ["list", "injection", "jwt"], own: (_, t) => get("/audit?limit=200", t) },
  // Sample values are computed per tenant: the list scan catches the other tenant's sales regions.
  "GET /datasets": { families: ["list", "injection", "jwt"], own: (_, t) => get("/datasets", t) },

  // ---- chat, runs, threads ----
  "POST /chat/stream": {
    families: ["cross-tenant", "list", "injection", "jwt", "sql"],
    own: (_, t) => post("/chat/stream", t, { message: "What is the project budget?" }),
    // Continuing another tenant's thread id starts a thread of one's own, exactly as an unknown id does.
    at: {
      id: "threadId",
      creates: true,
      request: (id, _, t) =>
        post("/chat/stream", t, { message: "What is the project budget?", threadId: id }),
    },
  },
  "GET /runs/{id}": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/runs/${me.runId}`, t),
    at: byId("runId", "GET", (id) => `/runs/${id}`),
  },
  "GET /runs/{id}/events": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/runs/${me.runId}/events`, t),
    at: byId("runId", "GET", (id) => `/runs/${id}/events`),
  },
  "POST /runs/{id}/stop": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true,
    own: (me, t) => post(`/runs/${me.runId}/stop`, t),
    at: byId("runId", "POST", (id) => `/runs/${id}/stop`),
  },
  "GET /threads": { families: ["list", "injection", "jwt"], own: (_, t) => get("/threads?limit=100", t) },
  "GET /threads/{id}": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/threads/${me.threadId}`, t),
    at: byId("threadId", "GET", (id) => `/threads/${id}`),
  },
  "DELETE /threads/{id}": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true,
    own: (me, t) => del(`/threads/${me.threadId}`, t),
    at: byId("threadId", "DELETE", (id) => `/threads/${id}`),
  },
  "PATCH /threads/{id}": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true, // renames the fixture thread: attacks use foreign ids only
    own: (me, t) => ({
      method: "PATCH",
      path: `/threads/${me.threadId}`,
      token: t,
      body: json({ title: "Renamed" }),
    }),
    at: byId("threadId", "PATCH", (id) => `/threads/${id}`, { title: "Renamed by an attacker" }),
  },
  "GET /threads/{id}/checkpoints": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/threads/${me.threadId}/checkpoints`, t),
    at: byId("threadId", "GET", (id) => `/threads/${id}/checkpoints`),
  },
  "POST /threads/{id}/fork": {
    families: ["cross-tenant", "injection", "jwt"],
    own: (me, t) => post(`/threads/${me.threadId}/fork`, t, { checkpointId: me.checkpointId }),
    at: {
      id: "threadId",
      request: (id, _, t) => post(`/threads/${id}/fork`, t, {}),
    },
  },
  "POST /threads/{id}/resume": {
    families: ["cross-tenant", "injection", "jwt", "sql"],
    // Answering the fixture's approval would consume it (the hostile-input corpus needs it pending).
    destructive: true,
    own: (me, t) => post(`/threads/${me.threadId}/resume`, t, { decision: { type: "reject" } }),
    at: byId("threadId", "POST", (id) => `/threads/${id}/resume`, { decision: { type: "reject" } }),
  },

  // ---- CopilotKit / AG-UI ----
  "POST /copilotkit/agent/{agentId}/run": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => post(`/copilotkit/agent/${me.agentId}/run`, t, runInput(`own-${crypto.randomUUID()}`)),
    at: {
      id: "threadId",
      creates: true,
      request: (id, me, t) => post(`/copilotkit/agent/${me.agentId}/run`, t, runInput(id)),
    },
  },
  "POST /copilotkit/agent/{agentId}/connect": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) =>
      post(`/copilotkit/agent/${me.agentId}/connect`, t, runInput(me.threadId, { messages: [] })),
    // Connecting replays a thread's conversation: another tenant's must replay nothing.
    at: {
      id: "threadId",
      request: (id, me, t) =>
        post(`/copilotkit/agent/${me.agentId}/connect`, t, runInput(id, { messages: [] })),
    },
  },
  "POST /copilotkit/agent/{agentId}/stop/{threadId}": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true,
    own: (me, t) => post(`/copilotkit/agent/${me.agentId}/stop/${me.threadId}`, t, {}),
    at: {
      id: "threadId",
      request: (id, me, t) => post(`/copilotkit/agent/${me.agentId}/stop/${id}`, t, {}),
    },
  },
  "POST /copilotkit": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) =>
      post("/copilotkit", t, {
        method: "agent/connect",
        params: { agentId: me.agentId },
        body: runInput(me.threadId, { messages: [] }),
      }),
    at: {
      id: "threadId",
      request: (id, me, t) =>
        post("/copilotkit", t, {
          method: "agent/connect",
          params: { agentId: me.agentId },
          body: runInput(id, { messages: [] }),
        }),
    },
  },

  // ---- connectors ----
  "POST /connectors": {
    families: ["injection", "jwt", "ssrf"],
    own: (_, t) =>
      post("/connectors", t, {
        kind: "urls",
        name: "Injected",
        config: { urls: ["http://127.0.0.1:9/x.html"] },
      }),
  },
  "GET /connectors": { families: ["list", "injection", "jwt"], own: (_, t) => get("/connectors", t) },
  "GET /connectors/{id}": {
    families: ["cross-tenant", "list", "injection", "jwt"],
    own: (me, t) => get(`/connectors/${me.connectorId}`, t),
    at: byId("connectorId", "GET", (id) => `/connectors/${id}`),
  },
  "PATCH /connectors/{id}": {
    families: ["cross-tenant", "injection", "jwt", "ssrf"],
    destructive: true,
    own: (me, t) => ({
      method: "PATCH",
      path: `/connectors/${me.connectorId}`,
      token: t,
      body: json({ name: "x" }),
    }),
    at: byId("connectorId", "PATCH", (id) => `/connectors/${id}`, { name: "Renamed by an attacker" }),
  },
  "DELETE /connectors/{id}": {
    families: ["cross-tenant", "injection", "jwt"],
    destructive: true,
    own: (me, t) => del(`/connectors/${me.connectorId}`, t),
    at: byId("connectorId", "DELETE", (id) => `/connectors/${id}`),
  },
  "POST /connectors/{id}/sync": {
    families: ["cross-tenant", "injection", "jwt", "ssrf"],
    destructive: true,
    own: (me, t) => post(`/connectors/${me.connectorId}/sync`, t),
    at: byId("connectorId", "POST", (id) => `/connectors/${id}/sync`),
  },
};

/** `"METHOD /path"` of every operation, and whether it needs a token, from the server's own OpenAPI document. */
export async function openApiOperations(base: string): Promise<Array<{ operation: string; auth: boolean }>> {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      operation: `${method.toUpperCase()} ${path}`,
      auth: !(Array.isArray(op.security) && op.security.length === 0),
    })),
  );
}

/** An id of the same form as `id` that exists nowhere (hex digits replaced): a missing resource. */
export function lookalike(id: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return crypto.randomUUID();
  const hex = "0123456789abcdef";
  return id.replace(/[0-9a-f]/g, () => hex[Math.floor(Math.random() * 16)]!);
}

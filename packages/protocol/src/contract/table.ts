/**
 * Every route of the HTTP API: name → method, path (relative to the server's `basePath`, `:name` matches one
 * segment) and whether it needs a bearer token. The one place a route is declared: the server's router, the
 * OpenAPI document and the clients are derived from it, and `contracts` (./contracts.ts) adds each route's
 * schemas under the same names — the compiler refuses a route without them.
 *
 * Plain values only (no zod): `@ragkit/protocol/routes`, which the headless React client bundles, exports it.
 */
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface RouteSpec {
  readonly method: HttpMethod;
  readonly path: `/${string}`;
  /** `false`: public (no bearer token). Absent: a verified token is required. */
  readonly auth?: false;
}

export const routeTable = {
  health: { method: "GET", path: "/health", auth: false },
  ready: { method: "GET", path: "/ready", auth: false },
  openapi: { method: "GET", path: "/openapi.json", auth: false },
  search: { method: "POST", path: "/search" },
  listDocuments: { method: "GET", path: "/documents" },
  uploadDocuments: { method: "POST", path: "/documents" },
  getDocument: { method: "GET", path: "/documents/:id" },
  getDocumentContent: { method: "GET", path: "/documents/:id/content" },
  deleteDocument: { method: "DELETE", path: "/documents/:id" },
  reindexDocument: { method: "POST", path: "/documents/:id/reindex" },
  listJobs: { method: "GET", path: "/jobs" },
  getJob: { method: "GET", path: "/jobs/:id" },
  jobEvents: { method: "GET", path: "/jobs/:id/events" },
  cancelJob: { method: "POST", path: "/jobs/:id/cancel" },
  retryJob: { method: "POST", path: "/jobs/:id/retry" },
  listAudit: { method: "GET", path: "/audit" },
  listDatasets: { method: "GET", path: "/datasets" },
  chatStream: { method: "POST", path: "/chat/stream" },
  runEvents: { method: "GET", path: "/runs/:id/events" },
  getRun: { method: "GET", path: "/runs/:id" },
  stopRun: { method: "POST", path: "/runs/:id/stop" },
  listThreads: { method: "GET", path: "/threads" },
  getThread: { method: "GET", path: "/threads/:id" },
  renameThread: { method: "PATCH", path: "/threads/:id" },
  deleteThread: { method: "DELETE", path: "/threads/:id" },
  listCheckpoints: { method: "GET", path: "/threads/:id/checkpoints" },
  forkThread: { method: "POST", path: "/threads/:id/fork" },
  resumeThread: { method: "POST", path: "/threads/:id/resume" },
  createConnector: { method: "POST", path: "/connectors" },
  listConnectors: { method: "GET", path: "/connectors" },
  getConnector: { method: "GET", path: "/connectors/:id" },
  updateConnector: { method: "PATCH", path: "/connectors/:id" },
  deleteConnector: { method: "DELETE", path: "/connectors/:id" },
  syncConnector: { method: "POST", path: "/connectors/:id/sync" },
  /** CopilotKit's `runtimeUrl` is `<server><basePath>` + this path (its single-endpoint transport). */
  copilotkit: { method: "POST", path: "/copilotkit" },
  copilotkitInfo: { method: "GET", path: "/copilotkit/info", auth: false },
  copilotkitRun: { method: "POST", path: "/copilotkit/agent/:agentId/run" },
  copilotkitConnect: { method: "POST", path: "/copilotkit/agent/:agentId/connect" },
  copilotkitStop: { method: "POST", path: "/copilotkit/agent/:agentId/stop/:threadId" },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof routeTable;

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The `:name` parameters of a route's path, e.g. `{ id: string }` for `getDocument`. */
export type PathParams<N extends RouteName> = {
  readonly [K in ParamNames<(typeof routeTable)[N]["path"]>]: string;
};

/** `[]` for a path without parameters, `[params]` otherwise: `pathTo("listDocuments")`, `pathTo("getDocument", { id })`. */
export type PathArgs<N extends RouteName> = [ParamNames<(typeof routeTable)[N]["path"]>] extends [never]
  ? []
  : [params: PathParams<N>];

/** The concrete path of a route, each parameter URL-encoded. */
export function pathTo<N extends RouteName>(name: N, ...args: PathArgs<N>): string {
  const params = (args[0] ?? {}) as Readonly<Record<string, string>>;
  return routeTable[name].path.replace(/:([A-Za-z0-9_]+)/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new TypeError(`pathTo(${name}): missing parameter "${key}"`);
    return encodeURIComponent(value);
  });
}

/**
 * Paths of the HTTP API, relative to the server's `basePath`. Shared so that client and server agree on them.
 * Plain values only (no zod): `@ragkit/protocol/routes`, which the headless React client bundles, exports it.
 */
export const routes = {
  health: "/health",
  ready: "/ready",
  search: "/search",
  documents: "/documents",
  document: (id: string): string => `/documents/${encodeURIComponent(id)}`,
  documentContent: (id: string): string => `/documents/${encodeURIComponent(id)}/content`,
  documentReindex: (id: string): string => `/documents/${encodeURIComponent(id)}/reindex`,
  jobs: "/jobs",
  job: (id: string): string => `/jobs/${encodeURIComponent(id)}`,
  jobEvents: (id: string): string => `/jobs/${encodeURIComponent(id)}/events`,
  audit: "/audit",
  datasets: "/datasets",
  connectors: "/connectors",
  connector: (id: string): string => `/connectors/${encodeURIComponent(id)}`,
  connectorSync: (id: string): string => `/connectors/${encodeURIComponent(id)}/sync`,
  chatStream: "/chat/stream",
  run: (id: string): string => `/runs/${encodeURIComponent(id)}`,
  runEvents: (id: string): string => `/runs/${encodeURIComponent(id)}/events`,
  runStop: (id: string): string => `/runs/${encodeURIComponent(id)}/stop`,
  threads: "/threads",
  thread: (id: string): string => `/threads/${encodeURIComponent(id)}`,
  threadCheckpoints: (id: string): string => `/threads/${encodeURIComponent(id)}/checkpoints`,
  threadFork: (id: string): string => `/threads/${encodeURIComponent(id)}/fork`,
  threadResume: (id: string): string => `/threads/${encodeURIComponent(id)}/resume`,
  /** CopilotKit's `runtimeUrl` is `<server><basePath>` + this prefix. */
  copilotkit: "/copilotkit",
  openapi: "/openapi.json",
} as const;

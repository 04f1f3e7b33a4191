/**
 * Paths of the HTTP API, relative to the server's `basePath`. Shared so that client and server agree on them.
 */
export const routes = {
  health: "/health",
  ready: "/ready",
  search: "/search",
  documents: "/documents",
  document: (id: string): string => `/documents/${encodeURIComponent(id)}`,
} as const;

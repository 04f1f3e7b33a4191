import type { ConnectorService, IngestionQueue } from "@ragkit/core";
import type { Authenticated } from "./auth.js";
import type { KnowledgeStore, TenantContext } from "./core.js";
import type { JsonBodyOptions } from "./http.js";
import type { ParsedOptions } from "./options.js";
import type { RunManager } from "./runs/manager.js";
import type { ParsedAgentOptions } from "./runs/options.js";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a route handler gets. Tenant-scoped work goes through `tenant()`, which never reads the request. */
export interface RouteContext {
  request: Request;
  url: URL;
  params: Readonly<Record<string, string>>;
  requestId: string;
  /** The verified identity (routes with `auth: true` only). */
  identity: Authenticated;
  /** The store (opened on first use when the handler was given a `database` string). */
  store(): Promise<KnowledgeStore>;
  /** The caller's tenant context, built from `identity` only; provisions the tenant when configured to. */
  tenant(): Promise<{ store: KnowledgeStore; ctx: TenantContext }>;
  /** The JSON body, size-limited, content-type and depth checked, with storable text only (see `parseJsonText`). */
  json(options?: JsonBodyOptions): Promise<unknown>;
  /** The durable ingestion queue on the store (its worker runs in this process unless configured off). */
  queue(): Promise<IngestionQueue>;
  /** The connector service on the store, with the handler's egress policy (`connectors.egress`). */
  connectors(): Promise<ConnectorService>;
  /** The chat agent: its run manager (created on first use) and options. */
  chat: { runs(): Promise<RunManager>; options: ParsedAgentOptions };
  /** Configured request limits. */
  limits: { maxBodyBytes: number; maxFileBytes: number; maxFiles: number };
  /** What tenants may configure through the connectors API. */
  connectorPolicy: ParsedOptions["connectors"];
}

export interface Route {
  method: Method;
  /** Path relative to `basePath`; `:name` matches one segment. */
  path: string;
  /** Whether a verified identity is required (default true). */
  auth?: boolean;
  handle(ctx: RouteContext): Promise<Response>;
}

export interface CompiledRoute extends Route {
  segments: readonly string[];
}

export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => ({ ...route, segments: route.path.split("/").slice(1) }));
}

export type Match =
  | { kind: "found"; route: CompiledRoute; params: Record<string, string> }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" };

/** Matches `pathname` (already stripped of the base path) against the table. */
export function matchRoute(routes: readonly CompiledRoute[], method: string, pathname: string): Match {
  const parts = pathname.split("/").slice(1);
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, parts);
    if (!params) continue;
    if (route.method === method) return { kind: "found", route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: "method_not_allowed", allow } : { kind: "not_found" };
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of pattern.entries()) {
    const part = parts[i]!;
    if (segment.startsWith(":")) {
      if (part === "") return null;
      // A segment that does not decode is passed through raw: the route decides what a bad id means.
      params[segment.slice(1)] = safeDecode(part);
    } else if (segment !== part) {
      return null;
    }
  }
  return params;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

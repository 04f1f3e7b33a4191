import type { ConnectorService, IngestionQueue } from "@ragkit/core";
import {
  contracts,
  type RequestBody,
  type RequestQuery,
  type ResponseBody,
  type RouteName,
  type RouteSchemas,
  routeTable,
} from "@ragkit/protocol";
import type { Authenticated } from "./auth.js";
import type { KnowledgeStore, TenantContext } from "./core.js";
import { invalidInput, type JsonBodyOptions, jsonResponse } from "./http.js";
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

/**
 * A route's inputs and answer, typed and validated by its contract in `@ragkit/protocol` (the same schemas the
 * OpenAPI document shows): a handler never parses a body or query by hand, and cannot answer a shape the
 * contract does not declare.
 */
export interface RouteIo<N extends RouteName> {
  /** The JSON body parsed by the contract's `body` schema; a 400 naming the contract's `what` otherwise. */
  body(options?: JsonBodyOptions): Promise<RequestBody<N>>;
  /** The query string parsed by the contract's `query` schema (the first value of a repeated key counts). */
  query(): RequestQuery<N>;
  /** The contract's success status with a JSON body of the contract's response type. */
  reply(body: ResponseBody<N>, headers?: Record<string, string>): Response;
}

/** One route: its name in the protocol's route table (method, path, auth come from there) and its handler. */
export interface Route<N extends RouteName = RouteName> {
  readonly name: N;
  handle(ctx: RouteContext & RouteIo<N>): Promise<Response>;
}

/** `defineRoute("search", async (c) => c.reply(...))`: the handler typed by the route's contract. */
export function defineRoute<N extends RouteName>(name: N, handle: Route<N>["handle"]): Route<N> {
  return { name, handle };
}

export interface CompiledRoute {
  readonly name: RouteName;
  readonly method: Method;
  readonly path: string;
  /** Whether a verified identity is required. */
  readonly auth: boolean;
  readonly segments: readonly string[];
  handle(ctx: RouteContext & RouteIo<RouteName>): Promise<Response>;
}

export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  const seen = new Set<RouteName>();
  return routes.map((route) => {
    if (seen.has(route.name)) throw new Error(`Route ${route.name} is defined twice.`);
    seen.add(route.name);
    const spec: { method: Method; path: string; auth?: false } = routeTable[route.name];
    return {
      name: route.name,
      method: spec.method,
      path: spec.path,
      auth: spec.auth !== false,
      segments: spec.path.split("/").slice(1),
      handle: (ctx) => route.handle(ctx),
    };
  });
}

/** The typed inputs of a matched route, from its contract. */
export function routeIo(name: RouteName, ctx: RouteContext): RouteIo<RouteName> {
  const contract: RouteSchemas = contracts[name];
  const what = contract.what ?? name;
  return {
    async body(options) {
      if (!contract.body) throw new Error(`Route ${name} declares no body.`);
      const parsed = contract.body.safeParse(await ctx.json(options));
      if (!parsed.success) throw invalidInput(what, parsed.error.issues);
      return parsed.data as RequestBody<RouteName>;
    },
    query() {
      if (!contract.query) throw new Error(`Route ${name} declares no query.`);
      const raw: Record<string, string> = {};
      for (const [key, value] of ctx.url.searchParams) if (!Object.hasOwn(raw, key)) raw[key] = value;
      const parsed = contract.query.safeParse(raw);
      if (!parsed.success) throw invalidInput(what, parsed.error.issues);
      return parsed.data as RequestQuery<RouteName>;
    },
    reply: (body, headers) => jsonResponse(contract.response.status, body, headers),
  };
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

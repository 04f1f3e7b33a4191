import { type Authenticated, createAuthenticator } from "./auth.js";
import {
  httpErrorFromStore,
  type KnowledgeStore,
  loadCore,
  type RagKit,
  type TenantContext,
} from "./core.js";
import { preflight, withCors } from "./cors.js";
import { errorResponse, HttpError, readJsonBody, requestIdFor } from "./http.js";
import { lazyQueue, queueOptionsOf } from "./ingestion/queue.js";
import { enforceRateLimits } from "./limits.js";
import { parseOptions, type RagHandlerOptions } from "./options.js";
import { compileRoutes, matchRoute, type RouteContext, routeIo } from "./router.js";
import { defaultRoutes } from "./routes.js";
import { lazyRuns } from "./runs/lazy.js";
import type { ParsedAgentOptions } from "./runs/options.js";

/** A Web-standard request handler: mount it in any framework that speaks `Request`/`Response`. */
export interface RagHandler {
  (request: Request): Promise<Response>;
  /** The normalised base path the routes live under. */
  readonly basePath: string;
  /** Closes the store if the handler opened it from `database`; a store passed in is left open. */
  close(): Promise<void>;
}

/** Remembered provisioned tenants; cleared wholesale when full (re-provisioning is idempotent and cheap). */
const MAX_KNOWN_TENANTS = 10_000;

/**
 * Builds the RagKit HTTP handler. Options are validated here, synchronously: a misconfiguration throws a
 * `RagHandlerOptionsError` at startup rather than failing the first request.
 */
export function createRagHandler(input: RagHandlerOptions): RagHandler {
  const options = parseOptions(input);
  const authenticate = createAuthenticator(options.auth);
  const table = compileRoutes(defaultRoutes);
  const basePath = options.basePath;

  const agentOptions = options.agent as ParsedAgentOptions;
  const onAgentError = (error: unknown) =>
    options.onError(error, { requestId: "agent-run", request: new Request("http://localhost/") });

  // Store, ingestion queue, agent and run store come from core's composition root, built on first use (core
  // loads only then); a failure is retried on the next request.
  const { models, ...agent } = agentOptions.options ?? {};
  const datasets = options.datasets;
  let opened: Promise<RagKit> | undefined;
  const getKit = (): Promise<RagKit> => {
    opened ??= loadCore()
      .then((core) =>
        core.createRagKit({
          ...(options.store ? { store: options.store } : { database: options.database }),
          ingestion: queueOptionsOf(options.ingestion),
          ...(models ? { models } : {}),
          agent: { ...agent, onInternalError: agent.onInternalError ?? onAgentError },
          connectors: { egress: options.connectors.egress },
        }),
      )
      .then(async (kit) => {
        // The handler's datasets are registered once, before the first request uses the store (idempotent DDL).
        try {
          for (const spec of datasets) await kit.store.registerDataset(spec);
        } catch (error) {
          await kit.close().catch(() => {}); // the next request builds a new kit: do not leak this one
          throw error;
        }
        return kit;
      })
      .catch((error: unknown) => {
        opened = undefined; // retry on the next request
        throw new HttpError("service_unavailable", "The knowledge store is not available.", { cause: error });
      });
    return opened;
  };
  const getStore = async (): Promise<KnowledgeStore> => (await getKit()).store;

  const ingestion = lazyQueue(getKit, options.ingestion);
  const chatRuns = lazyRuns(getKit, agentOptions, onAgentError);

  const provisioned = new Set<string>();
  const tenantFor = async (
    identity: Authenticated,
  ): Promise<{ store: KnowledgeStore; ctx: TenantContext }> => {
    const [store, core] = await Promise.all([getStore(), loadCore()]);
    let ctx: TenantContext;
    try {
      ctx = core.createTenantContext({
        tenantId: identity.tenantId,
        userId: identity.userId,
        source: identity.source,
      });
    } catch {
      throw new HttpError("forbidden", "The token's tenant or user id is not a valid id.");
    }
    if (options.autoProvisionTenants && !provisioned.has(ctx.tenantId)) {
      await store.ensureTenant(ctx);
      if (provisioned.size >= MAX_KNOWN_TENANTS) provisioned.clear();
      provisioned.add(ctx.tenantId);
    }
    return { store, ctx };
  };

  const dispatch = async (request: Request, requestId: string): Promise<Response> => {
    const url = new URL(request.url);
    const path = stripBase(url.pathname, basePath);
    const match = path === null ? ({ kind: "not_found" } as const) : matchRoute(table, request.method, path);
    if (match.kind === "not_found") throw new HttpError("not_found", "No such route.");
    if (match.kind === "method_not_allowed" && request.method === "OPTIONS") {
      // Never 405: an OPTIONS request (a CORS preflight when `cors` is off, or a plain capability check) learns
      // the route's methods. Without `cors`, the missing Access-Control-* headers are the browser's refusal.
      return new Response(null, { status: 204, headers: { allow: [...match.allow, "OPTIONS"].join(", ") } });
    }
    if (match.kind === "method_not_allowed") {
      throw new HttpError("method_not_allowed", `Method ${request.method} is not allowed here.`, {
        headers: { allow: match.allow.join(", ") },
      });
    }
    const { route, params } = match;
    const identity: Authenticated | null = !route.auth ? null : await authenticate(request);
    const tenant = () => {
      if (!identity) throw new Error(`Route ${route.method} ${route.path} is public and has no tenant.`);
      return tenantFor(identity);
    };
    const rateHeaders = identity ? await enforceRateLimits(options.rateLimits, identity, tenant) : {};
    const ctx: RouteContext = {
      request,
      url,
      params,
      requestId,
      get identity() {
        if (!identity) throw new Error(`Route ${route.method} ${route.path} is public and has no identity.`);
        return identity;
      },
      store: getStore,
      tenant,
      json: (o) => readJsonBody(request, options.maxBodyBytes, o),
      queue: ingestion.get,
      connectors: async () => {
        // The queue first: with `worker: true` it starts this process's worker, which connector syncs feed.
        await ingestion.get();
        return (await getKit()).connectors;
      },
      chat: { runs: chatRuns.get, options: agentOptions },
      limits: {
        maxBodyBytes: options.maxBodyBytes,
        maxFileBytes: options.ingestion.maxFileBytes,
        maxFiles: options.ingestion.maxFiles,
      },
      connectorPolicy: options.connectors,
    };
    // Object.assign, not a spread: a spread would read the `identity` getter, which throws on public routes.
    return stamp(await route.handle(Object.assign(ctx, routeIo(route.name, ctx))), rateHeaders);
  };

  const handler = async (request: Request): Promise<Response> => {
    const requestId = requestIdFor(request);
    const answered = preflight(options.cors, request);
    if (answered) {
      answered.headers.set("x-request-id", requestId);
      return answered;
    }
    let response: Response;
    try {
      response = await dispatch(request, requestId);
    } catch (error) {
      const known = httpErrorFromStore(error);
      if (!known || known.status >= 500) options.onError(error, { requestId, request });
      response = errorResponse(
        known ?? new HttpError("internal_error", "Internal server error.", { cause: error }),
        requestId,
      );
    }
    return withCors(options.cors, request, stamp(response, { "x-request-id": requestId }));
  };

  return Object.assign(handler, {
    basePath,
    close: async () => {
      await ingestion.stop();
      await chatRuns.stop();
      const kit = opened;
      opened = undefined;
      // Closes the store only if the kit opened it (from `database`); a store passed in stays open.
      if (kit) await (await kit.catch(() => null))?.close();
    },
  });
}

/** Sets headers on a response; a response with immutable headers (proxied, `Response.redirect()`) is copied first. */
function stamp(response: Response, headers: Record<string, string>): Response {
  const entries = Object.entries(headers);
  if (entries.length === 0) return response;
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) copy.headers.set(name, value);
    return copy;
  }
}

function stripBase(pathname: string, basePath: string): string | null {
  if (basePath === "") return pathname;
  if (!pathname.startsWith(basePath)) return null;
  const rest = pathname.slice(basePath.length);
  return rest.startsWith("/") ? rest : null;
}

import type { ConnectorRecord, ConnectorService, SyncSummary } from "@ragkit/core";
import { type ConnectorSummary, pathTo, type SyncEventPayload } from "@ragkit/protocol";
import { notFoundError, orNotFound, uuidParam } from "../ids.js";
import type { Route, RouteContext } from "../router.js";
import { sseResponse } from "../runs/sse.js";
import { checkConnectorPolicy } from "./guard.js";

const notFound = notFoundError("Connector");
const HEARTBEAT_MS = 15_000;

/** The handler's connector service (from its RagKit: the handler's egress policy, its store and queue). */
async function service(ctx: RouteContext) {
  const [{ store, ctx: tenant }, svc] = await Promise.all([ctx.tenant(), ctx.connectors()]);
  return { svc, store, tenant };
}

function toSummary(c: ConnectorRecord): ConnectorSummary {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    config: c.config,
    hasCredentials: c.hasCredentials,
    lastSync: {
      status: c.lastSync.status,
      at: c.lastSync.at?.toISOString() ?? null,
      error: c.lastSync.error,
      summary: c.lastSync.summary,
    },
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

const create: Route<"createConnector"> = {
  name: "createConnector",
  async handle(ctx) {
    const body = await ctx.body();
    checkConnectorPolicy(ctx.connectorPolicy, body.kind, body.config);
    const { svc, store, tenant } = await service(ctx);
    // Per-kind config and credentials are validated by core (zod); errors come back as 400 with details.
    const connector = await svc.create(tenant, body as Parameters<ConnectorService["create"]>[1]);
    await store.audit.record(tenant, {
      action: "connector.create",
      resourceType: "connector",
      resourceId: connector.id,
      requestId: ctx.requestId,
      details: { kind: connector.kind },
    });
    return ctx.reply(
      { connector: toSummary(connector) },
      { location: pathTo("getConnector", { id: connector.id }) },
    );
  },
};

const list: Route<"listConnectors"> = {
  name: "listConnectors",
  async handle(ctx) {
    const { svc, tenant } = await service(ctx);
    return ctx.reply({ connectors: (await svc.list(tenant)).map(toSummary) });
  },
};

const get: Route<"getConnector"> = {
  name: "getConnector",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const { svc, tenant } = await service(ctx);
    return ctx.reply({ connector: toSummary(await orNotFound(svc.get(tenant, id), notFound)) });
  },
};

const update: Route<"updateConnector"> = {
  name: "updateConnector",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const body = await ctx.body();
    const { svc, store, tenant } = await service(ctx);
    const current = await orNotFound(svc.get(tenant, id), notFound);
    if (body.config) checkConnectorPolicy(ctx.connectorPolicy, current.kind, body.config);
    const connector = await orNotFound(svc.update(tenant, id, body), notFound);
    await store.audit.record(tenant, {
      action: "connector.update",
      resourceType: "connector",
      resourceId: id,
      requestId: ctx.requestId,
      details: { fields: Object.keys(body) },
    });
    return ctx.reply({ connector: toSummary(connector) });
  },
};

const remove: Route<"deleteConnector"> = {
  name: "deleteConnector",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const deleteDocuments = ctx.query().deleteDocuments === "true";
    const { svc, store, tenant } = await service(ctx);
    await orNotFound(svc.delete(tenant, id, { deleteDocuments }), notFound);
    await store.audit.record(tenant, {
      action: "connector.delete",
      resourceType: "connector",
      resourceId: id,
      requestId: ctx.requestId,
      details: { deleteDocuments },
    });
    return new Response(null, { status: 204 });
  },
};

/**
 * Runs a sync. With `Accept: text/event-stream` the progress streams as SSE (a client that disconnects cancels
 * the sync, which resumes from its stored cursor next time); otherwise the answer is the finished summary with
 * the ingestion job ids. Per-object failures are part of the summary, not an HTTP error.
 */
const sync: Route<"syncConnector"> = {
  name: "syncConnector",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const { svc, store, tenant } = await service(ctx);
    await orNotFound(svc.get(tenant, id), notFound);
    const audit = (summary: SyncSummary | null, outcome: "success" | "error") =>
      store.audit.record(tenant, {
        action: "connector.sync",
        resourceType: "connector",
        resourceId: id,
        outcome,
        requestId: ctx.requestId,
        details: summary
          ? { status: summary.status, jobs: summary.jobIds.length, failed: summary.failed }
          : {},
      });
    const streaming = (ctx.request.headers.get("accept") ?? "").includes("text/event-stream");
    if (!streaming) {
      const run = svc.sync(tenant, id, { signal: ctx.request.signal });
      let step = await run.next();
      while (!step.done) step = await run.next();
      await audit(step.value, "success");
      return ctx.reply({ summary: step.value });
    }
    return sseResponse(
      async function* (disconnect) {
        const run = svc.sync(tenant, id, { signal: disconnect });
        const frame = (e: SyncEventPayload) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
        try {
          let step = await run.next();
          while (!step.done) {
            yield frame(step.value as SyncEventPayload);
            step = await run.next();
          }
          await audit(step.value, "success");
        } catch (error) {
          await audit(null, "error").catch(() => {});
          const e = error as { code?: unknown; message?: unknown };
          yield frame({
            type: "error",
            code: typeof e.code === "string" ? e.code : "internal_error",
            message: typeof e.message === "string" ? e.message : "The sync failed.",
          });
        }
      },
      { heartbeatMs: HEARTBEAT_MS, request: ctx.request },
    );
  },
};

export const connectorRoutes: readonly Route[] = [create, list, get, update, remove, sync];

import {
  type JobListResponse,
  type JobResponse,
  listJobsQuerySchema,
  routes as paths,
} from "@ragkit/protocol";
import { invalidInput, jsonResponse } from "../http.js";
import { notFoundError, orNotFound, uuidParam } from "../ids.js";
import type { Route } from "../router.js";
import { lastEventIdOf, sseResponse } from "../runs/sse.js";
import { toJobEvent, toJobSummary } from "./summary.js";

const notFound = notFoundError("Job");

/** Proxies drop idle connections after ~60 s; a comment frame every 15 s keeps a slow job's stream open. */
const HEARTBEAT_MS = 15_000;

const list: Route = {
  method: "GET",
  path: paths.jobs,
  async handle(ctx) {
    const parsed = listJobsQuerySchema.safeParse(Object.fromEntries(ctx.url.searchParams));
    if (!parsed.success) throw invalidInput("job list query", parsed.error.issues);
    const [{ ctx: tenant }, queue] = await Promise.all([ctx.tenant(), ctx.queue()]);
    const jobs = await queue.list(tenant, {
      limit: parsed.data.limit,
      ...(parsed.data.state ? { state: parsed.data.state } : {}),
    });
    return jsonResponse(200, { jobs: jobs.map(toJobSummary) } satisfies JobListResponse);
  },
};

const get: Route = {
  method: "GET",
  path: "/jobs/:id",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const [{ ctx: tenant }, queue] = await Promise.all([ctx.tenant(), ctx.queue()]);
    return jsonResponse(200, {
      job: toJobSummary(await orNotFound(queue.get(tenant, id), notFound)),
    } satisfies JobResponse);
  },
};

/** `POST /jobs/:id/<action>`: one queue operation on the caller's job, audited, answering with the job. */
function jobAction(action: "cancel" | "retry"): Route {
  return {
    method: "POST",
    path: `/jobs/:id/${action}`,
    async handle(ctx) {
      const id = uuidParam(ctx, notFound);
      const [{ store, ctx: tenant }, queue] = await Promise.all([ctx.tenant(), ctx.queue()]);
      const job = await orNotFound(queue[action](tenant, id), notFound);
      await store.audit.record(tenant, {
        action: `job.${action}`,
        resourceType: "job",
        resourceId: id,
        requestId: ctx.requestId,
      });
      return jsonResponse(200, { job: toJobSummary(job) } satisfies JobResponse);
    },
  };
}

/**
 * Server-sent progress events, replayed from the job's event log and then live until the job ends. A client
 * that reconnects with `Last-Event-ID` (EventSource does this by itself) continues after the last event it saw.
 */
const events: Route = {
  method: "GET",
  path: "/jobs/:id/events",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const lastEventId = lastEventIdOf(ctx.request, ctx.url);
    const [{ ctx: tenant }, queue] = await Promise.all([ctx.tenant(), ctx.queue()]);
    await orNotFound(queue.get(tenant, id), notFound); // 404 as JSON before the stream starts
    return sseResponse(
      async function* (disconnect) {
        try {
          for await (const event of queue.events(tenant, id, {
            signal: disconnect,
            ...(lastEventId ? { afterId: lastEventId } : {}),
          })) {
            yield `id: ${event.id}\nevent: progress\ndata: ${JSON.stringify(toJobEvent(event))}\n\n`;
          }
        } catch (error) {
          if (disconnect.aborted) return;
          const message = error instanceof Error ? error.message : "stream failed";
          yield `event: error\ndata: ${JSON.stringify({ message })}\n\n`;
        }
      },
      { heartbeatMs: HEARTBEAT_MS, request: ctx.request },
    );
  },
};

export const jobRoutes: readonly Route[] = [list, get, jobAction("cancel"), jobAction("retry"), events];

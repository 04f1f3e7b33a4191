import { notFoundError, orNotFound, uuidParam } from "../ids.js";
import type { Route } from "../router.js";
import { lastEventIdOf, sseResponse } from "../runs/sse.js";
import { toJobEvent, toJobSummary } from "./summary.js";

const notFound = notFoundError("Job");

/** Proxies drop idle connections after ~60 s; a comment frame every 15 s keeps a slow job's stream open. */
const HEARTBEAT_MS = 15_000;

const list: Route<"listJobs"> = {
  name: "listJobs",
  async handle(ctx) {
    const query = ctx.query();
    const [{ ctx: tenant }, queue] = await Promise.all([ctx.tenant(), ctx.queue()]);
    const jobs = await queue.list(tenant, {
      limit: query.limit,
      ...(query.state ? { state: query.state } : {}),
    });
    return ctx.reply({ jobs: jobs.map(toJobSummary) });
  },
};

const get: Route<"getJob"> = {
  name: "getJob",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const [{ ctx: tenant }, queue] = await Promise.all([ctx.tenant(), ctx.queue()]);
    return ctx.reply({ job: toJobSummary(await orNotFound(queue.get(tenant, id), notFound)) });
  },
};

/** `POST /jobs/:id/<action>`: one queue operation on the caller's job, audited, answering with the job. */
function jobAction(action: "cancel" | "retry"): Route<"cancelJob" | "retryJob"> {
  return {
    name: action === "cancel" ? "cancelJob" : "retryJob",
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
      return ctx.reply({ job: toJobSummary(job) });
    },
  };
}

/**
 * Server-sent progress events, replayed from the job's event log and then live until the job ends. A client
 * that reconnects with `Last-Event-ID` (EventSource does this by itself) continues after the last event it saw.
 */
const events: Route<"jobEvents"> = {
  name: "jobEvents",
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

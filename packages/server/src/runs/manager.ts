import type {
  AgentEvent,
  AgentToolResultsOptions,
  ApprovalDecision,
  ClientRunOptions,
  RagAgent,
  RunRecord,
  RunStore,
} from "@ragkit/core";
import type { KnowledgeStore, TenantContext } from "../core.js";
import { HttpError } from "../http.js";
import { LiveRun } from "./live-run.js";
import { fromRunEventRow, InvalidRunEventError, type StoredEvent, toRunEventRow } from "./stored-event.js";

export type RunStart =
  | { kind: "message"; message: string; threadId?: string | undefined; messageId?: string | undefined }
  | { kind: "resume"; threadId: string; decision: ApprovalDecision }
  | { kind: "tool_results"; threadId: string; results: AgentToolResultsOptions["results"] };

export interface StartOptions {
  runId?: string | undefined;
  /** `runId` is the client's: when this tenant already has a run with it, store the run under a new id. */
  freshIdIfTaken?: boolean;
  /** Keep running when every client has disconnected. */
  background?: boolean;
  requestId?: string;
  /** Client tools and app context (AG-UI `RunAgentInput.tools` / `context`). */
  client?: ClientRunOptions;
}

export interface RunManagerDeps {
  store: KnowledgeStore;
  runs: RunStore;
  agent: RagAgent;
  /** Identifies this process in `agent_runs.owner`. */
  owner: string;
  pollIntervalMs: number;
  /** Runs whose owner has not heart-beaten for this long are ended as failed (owner_lost). */
  staleRunMs: number;
  /** How long new events may wait to be persisted (the live stream never waits for the database). */
  flushIntervalMs: number;
  /** Retries of a failed event write, `persistRetryMs` apart and doubling, before the run is ended. */
  persistRetries: number;
  persistRetryMs: number;
  newId: () => string;
  onError: (error: unknown) => void;
}

const TERMINAL = new Set(["completed", "interrupted", "failed", "cancelled"]);
const PAGE = 1000;

const notFound = () => new HttpError("not_found", "Run not found.");
const liveKey = (tenantId: string, runId: string) => `${tenantId}/${runId}`;

/**
 * Starts agent runs, numbers and persists every event (batched, in the background of the stream), fans events
 * out to live subscribers in this process, and serves runs executing on other replicas by polling `run_events`.
 * Stop requests abort in-process runs at once and are written to the run row for the replica that owns it.
 */
export class RunManager {
  private readonly live = new Map<string, LiveRun>();
  private cancelPoll: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(private readonly deps: RunManagerDeps) {}

  get agent(): RagAgent {
    return this.deps.agent;
  }

  get runs(): RunStore {
    return this.deps.runs;
  }

  /** Creates the run row, then executes the agent in the background. */
  async start(ctx: TenantContext, start: RunStart, options: StartOptions = {}): Promise<LiveRun> {
    if (this.closed) throw new HttpError("service_unavailable", "The server is shutting down.");
    const threadId = start.threadId ?? this.deps.newId();
    const busy = () => new HttpError("conflict", "A run is already in progress on this thread.");
    for (const run of this.live.values()) {
      if (run.ctx.tenantId === ctx.tenantId && run.threadId === threadId && !run.finished) throw busy();
    }
    // One transaction: a run of a crashed replica would block the thread forever, so it is ended first; a
    // running run elsewhere makes the INSERT fail on the one-running-run index (the same 409 as `busy()`). This
    // process's own runs were checked above (their rows finish before they leave `live`).
    const record = await this.deps.runs.createRun(
      ctx,
      {
        ...(options.runId ? { id: options.runId } : {}),
        threadId,
        // Client tool results continue the turn their answer model paused.
        kind: start.kind === "tool_results" ? "continue" : start.kind,
        background: options.background ?? false,
        title: start.kind === "message" ? start.message : null,
        owner: this.deps.owner,
      },
      {
        ...(start.threadId !== undefined ? { expireStaleAfterMs: this.deps.staleRunMs } : {}),
        ...(options.freshIdIfTaken ? { freshIdIfTaken: true } : {}),
      },
    );
    const live = new LiveRun(record.id, threadId, ctx, record.background);
    this.live.set(liveKey(ctx.tenantId, record.id), live);
    this.ensureCancelPoll();
    void this.execute(live, start, options.requestId ?? null, options.client ?? {});
    return live;
  }

  private async execute(
    live: LiveRun,
    start: RunStart,
    requestId: string | null,
    client: ClientRunOptions,
  ): Promise<void> {
    const { agent, runs } = this.deps;
    const { ctx } = live;
    const common = {
      tenant: ctx,
      threadId: live.threadId,
      runId: live.id,
      signal: live.abort.signal,
      ...client,
    };
    let last: AgentEvent | null = null;
    try {
      const stream =
        start.kind === "message"
          ? agent.stream(start.message, {
              ...common,
              ...(start.messageId ? { messageId: start.messageId } : {}),
            })
          : start.kind === "resume"
            ? agent.resume({ ...common, decision: start.decision })
            : agent.submitToolResults({ ...common, results: start.results });
      for await (const event of stream) {
        // The events could not be stored: nothing more is streamed that a replay would not have.
        if (live.persistFailed) break;
        live.push(event);
        this.flush(live);
        if (event.type === "approval") {
          // However the approval was answered: the API, a typed reply, or a new message that declined it.
          await this.audit(ctx, {
            action: "agent.approval",
            resourceType: "thread",
            resourceId: live.threadId,
            requestId,
            details: { runId: live.id, decision: event.decision.type, tool: event.tool, via: event.via },
          });
        }
        if (event.type === "tool_call" && event.toolCall.name === "query_database") {
          const result = event.toolCall.result as { rowCount?: unknown } | null;
          await this.audit(ctx, {
            action: "agent.sql_query",
            resourceType: "run",
            resourceId: live.id,
            requestId,
            details: {
              threadId: live.threadId,
              sql: String(event.toolCall.args.sql ?? "").slice(0, 10_000),
              rowCount: typeof result?.rowCount === "number" ? result.rowCount : null,
            },
          });
        }
        if (event.type === "run_finished" || event.type === "run_error") last = event;
      }
    } catch (error) {
      // agent.stream never throws by contract; anything here is a bug, reported and closed as a failed run.
      this.deps.onError(error);
      last = {
        type: "run_error",
        runId: live.id,
        threadId: live.threadId,
        code: "internal_error",
        message: "The run failed.",
      };
      live.push(last);
    }
    if (live.persistFailed) {
      last = {
        type: "run_error",
        runId: live.id,
        threadId: live.threadId,
        code: "persistence_failed",
        message: "The conversation could not be saved, so the answer was stopped. Try again.",
      };
      live.push(last);
    }
    const status =
      last?.type === "run_finished"
        ? last.status
        : last?.type === "run_error" && last.code === "aborted"
          ? "cancelled"
          : "failed";
    try {
      // The last events and the final status land in one transaction: a reader that sees the run finished
      // sees all of its events.
      if (live.flushTimer) clearTimeout(live.flushTimer);
      live.flushTimer = null;
      while (live.flushing) await live.flushing;
      const rest = [...live.unsaved];
      const final = last;
      await this.withRetries(() =>
        runs.finishRun(
          ctx,
          live.id,
          { status, ...(final?.type === "run_error" ? { errorCode: final.code, error: final.message } : {}) },
          rest.map(toRunEventRow),
        ),
      );
      live.unsaved.splice(0, rest.length);
      await this.audit(ctx, {
        action: "agent.run",
        resourceType: "run",
        resourceId: live.id,
        outcome: status === "failed" ? "error" : "success",
        requestId,
        details: {
          threadId: live.threadId,
          kind: start.kind,
          status,
          background: live.background,
          events: live.events.length,
        },
      });
    } catch (error) {
      this.deps.onError(error);
    } finally {
      live.finish();
      this.live.delete(liveKey(ctx.tenantId, live.id));
    }
  }

  private async audit(
    ctx: TenantContext,
    entry: Parameters<KnowledgeStore["audit"]["record"]>[1],
  ): Promise<void> {
    try {
      await this.deps.store.audit.record(ctx, entry);
    } catch (error) {
      this.deps.onError(error);
    }
  }

  /**
   * Schedules a write of the unsaved events: after `flushIntervalMs` (so a burst of tokens is one transaction,
   * not one each — the database is shared with the agent's own checkpoint writes), or now with `immediate`.
   * One write in flight per run; events arriving meanwhile form the next batch.
   */
  private flush(live: LiveRun, immediate = false): void {
    if (immediate && live.flushTimer) {
      clearTimeout(live.flushTimer);
      live.flushTimer = null;
    }
    if (live.flushing || live.flushTimer || live.unsaved.length === 0) return;
    if (!immediate) {
      live.flushTimer = setTimeout(() => {
        live.flushTimer = null;
        this.flush(live, true);
      }, this.deps.flushIntervalMs);
      return;
    }
    live.flushing = (async () => {
      while (live.unsaved.length > 0 && !live.persistFailed) {
        const batch = live.unsaved.slice(0, PAGE);
        try {
          await this.withRetries(() =>
            this.deps.runs.appendEvents(live.ctx, live.id, batch.map(toRunEventRow)),
          );
          live.unsaved.splice(0, batch.length);
        } catch (error) {
          // Still failing after the retries: the events stay queued (in order) for the run's final write, and
          // the run is stopped, to end with a persisted `persistence_failed` error (see `execute`).
          this.deps.onError(error);
          live.persistFailed = true;
          live.abort.abort();
        }
      }
    })().finally(() => {
      live.flushing = null;
      if (live.unsaved.length > 0 && !live.persistFailed) this.flush(live);
    });
  }

  /** Runs a write, retrying failures `persistRetries` times with doubling delays; rethrows the last failure. */
  private async withRetries<T>(write: () => Promise<T>): Promise<T> {
    let delay = this.deps.persistRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (attempt >= this.deps.persistRetries) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }

  /** The run of this tenant (404 for missing and other tenants' runs). */
  async getRun(ctx: TenantContext, runId: string): Promise<RunRecord> {
    const run = await this.deps.runs.getRun(ctx, runId);
    if (!run) throw notFound();
    return run;
  }

  /**
   * The events of a run after `afterSeq`, then its live tail until it ends or `signal` aborts. Throws 404 at
   * once (before any byte is streamed) for a run that does not exist in this tenant.
   */
  async subscribe(
    ctx: TenantContext,
    runId: string,
    afterSeq: number,
    signal: AbortSignal,
  ): Promise<AsyncGenerator<StoredEvent, void, undefined>> {
    const live = this.live.get(liveKey(ctx.tenantId, runId));
    if (live) return this.tailLive(live, afterSeq, signal);
    const run = await this.deps.runs.getRun(ctx, runId);
    if (!run) throw notFound();
    return this.tailStored(ctx, run, afterSeq, signal);
  }

  private async *tailLive(live: LiveRun, afterSeq: number, signal: AbortSignal): AsyncGenerator<StoredEvent> {
    live.subscribers++;
    try {
      let next = Math.max(0, afterSeq);
      for (;;) {
        while (next < live.events.length) yield live.events[next++]!;
        if (live.finished || signal.aborted) return;
        await live.wait(signal);
      }
    } finally {
      live.subscribers--;
      // The last client of a foreground run went away: stop the model call instead of paying for it.
      if (live.subscribers === 0 && !live.background && !live.finished) live.abort.abort();
    }
  }

  private async *tailStored(
    ctx: TenantContext,
    run: RunRecord,
    afterSeq: number,
    signal: AbortSignal,
  ): AsyncGenerator<StoredEvent> {
    let after = Math.max(0, afterSeq);
    let current = run;
    for (;;) {
      const events = await this.deps.runs.listEvents(ctx, run.id, { afterSeq: after, limit: PAGE });
      for (const row of events) {
        after = row.seq;
        const stored = fromRunEventRow(run.id, row);
        if (stored instanceof InvalidRunEventError) this.deps.onError(stored);
        else yield stored;
      }
      if (signal.aborted) return;
      if (events.length === PAGE) continue;
      if (TERMINAL.has(current.status)) return;
      // The run executes elsewhere (another replica): poll for its next events.
      const local = this.live.get(liveKey(ctx.tenantId, run.id));
      if (local) {
        yield* this.tailLive(local, after, signal);
        return;
      }
      await sleep(this.deps.pollIntervalMs, signal);
      if (signal.aborted) return;
      // Its owner may have died: then the run is ended with an owner_lost error event, which this loop yields.
      await this.deps.runs.expireStaleRuns(ctx, { runId: run.id, staleAfterMs: this.deps.staleRunMs });
      current = (await this.deps.runs.getRun(ctx, run.id)) ?? { ...current, status: "failed" };
    }
  }

  /** Stops a run: at once when it runs here, through its row otherwise. 404 for unknown runs. */
  async stop(ctx: TenantContext, runId: string): Promise<RunRecord> {
    const run = await this.deps.runs.requestCancel(ctx, runId);
    if (!run) throw notFound();
    this.live.get(liveKey(ctx.tenantId, runId))?.abort.abort();
    return run;
  }

  /** Stops every running run of a thread; returns how many were asked to stop. */
  async stopThread(ctx: TenantContext, threadId: string): Promise<number> {
    const running = (await this.deps.runs.listRuns(ctx, { threadId, limit: 1000 })).filter(
      (r) => r.status === "running",
    );
    for (const run of running) await this.stop(ctx, run.id);
    return running.length;
  }

  /** The run of a thread executing now, if any (in this process or elsewhere). */
  async activeRun(ctx: TenantContext, threadId: string): Promise<RunRecord | null> {
    const runs = await this.deps.runs.listRuns(ctx, { threadId, limit: 1000 });
    return runs.findLast((r) => r.status === "running") ?? null;
  }

  /** Polls stop requests for the runs this process executes (a stop may arrive at another replica). */
  private ensureCancelPoll(): void {
    if (this.cancelPoll) return;
    this.cancelPoll = setInterval(() => {
      if (this.live.size === 0) {
        if (this.cancelPoll) clearInterval(this.cancelPoll);
        this.cancelPoll = null;
        return;
      }
      const byTenant = new Map<string, LiveRun[]>();
      for (const run of this.live.values()) {
        const list = byTenant.get(run.ctx.tenantId) ?? [];
        list.push(run);
        byTenant.set(run.ctx.tenantId, list);
      }
      for (const list of byTenant.values()) {
        this.deps.runs
          .cancelRequested(
            list[0]!.ctx,
            list.map((r) => r.id),
          )
          .then((ids) => {
            for (const run of list) if (ids.includes(run.id)) run.abort.abort();
          })
          .catch((error: unknown) => this.deps.onError(error));
      }
    }, this.deps.pollIntervalMs);
    this.cancelPoll.unref?.();
  }

  /** Aborts in-process runs (their rows end "cancelled") and waits for them to be recorded. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.cancelPoll) clearInterval(this.cancelPoll);
    this.cancelPoll = null;
    const pending = [...this.live.values()];
    for (const run of pending) run.abort.abort();
    const never = new AbortController().signal;
    await Promise.all(
      pending.map(async (run) => {
        while (!run.finished) await run.wait(never);
      }),
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Queryable } from "../db/driver.js";
import { sqlStateOf } from "../db/pglite.js";
import { RagKitError, validationErrorFromZod } from "../errors/index.js";
import { displayText, displayTextOrNull, toJsonb } from "../store/storable.js";
import type { TenantContext } from "../tenant/context.js";
import {
  type RunEventRow,
  type RunRow,
  runColumns,
  type ThreadRow,
  toRun,
  toRunEvent,
  toThread,
} from "./rows.js";
import { shortTitle } from "./title.js";
import {
  type CreateRunInput,
  type CreateRunOptions,
  type FinishRunInput,
  type NewRunEvent,
  type RunEventRecord,
  type RunRecord,
  runIdSchema,
  runKindSchema,
  runStatusSchema,
  type ThreadSummary,
} from "./types.js";

/** What the run store needs from a KnowledgeStore: its tenant-scoped transactions and schema name. */
export interface RunStoreHost {
  readonly schema: string;
  withTenant<T>(ctx: TenantContext, fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

const createSchema = z.object({
  id: runIdSchema.optional(),
  threadId: runIdSchema,
  kind: runKindSchema.default("message"),
  background: z.boolean().default(false),
  title: z.string().nullable().optional(),
  owner: z.string().max(200).nullable().optional(),
});

const finishSchema = z.object({
  status: runStatusSchema.exclude(["running"]),
  errorCode: z.string().max(64).nullable().optional(),
  error: z.string().nullable().optional(),
});

const eventsSchema = z
  .array(
    z.object({
      seq: z.number().int().min(1),
      type: z.string().min(1).max(64),
      data: z.record(z.string(), z.unknown()),
    }),
  )
  .max(10_000);

function parseEvents(events: readonly NewRunEvent[]): NewRunEvent[] {
  const parsed = eventsSchema.safeParse(events);
  if (!parsed.success) throw validationErrorFromZod("run events", parsed.error.issues);
  return parsed.data;
}

const MAX_TITLE = 200;
const threadTitleSchema = z.string().trim().min(1, "must not be empty").max(MAX_TITLE);
const clampLimit = (limit: number | undefined, fallback: number, max: number) =>
  Math.min(Math.max(Math.trunc(limit ?? fallback), 1), max);

const THREAD_BUSY = "A run is already in progress on this thread.";

/** The unique violation of migration 10's one-running-run-per-thread index. */
function isThreadBusy(error: unknown): boolean {
  const cause = (error as { cause?: { constraint?: unknown } } | null)?.cause;
  return sqlStateOf(error) === "23505" && cause?.constraint === "agent_runs_one_running";
}

/** Ids that cannot exist (bad shape) read as missing, exactly like another tenant's ids. */
const validId = (id: string) => runIdSchema.safeParse(id).success;

/**
 * Agent runs and their event logs, per tenant (row-level security, see migration 5). The executing process
 * numbers a run's events itself (1, 2, 3, …: it is the run's only writer) and appends them in batches; readers
 * page through them with `listEvents(afterSeq)` — the basis of `Last-Event-ID` resumption.
 */
export class RunStore {
  constructor(private readonly host: RunStoreHost) {}

  private get s(): string {
    return this.host.schema;
  }

  /**
   * Creates a run in status "running". Throws `conflict` when this tenant already has a run with that id, or
   * when the thread already has a running run (enforced by a unique index: of two replicas starting runs on one
   * thread at the same instant, exactly one wins).
   *
   * In the same transaction, so that starting a run is one round trip of work rather than three or four:
   * `expireStaleAfterMs` first ends the thread's running run when its owner stopped updating it that long ago (a
   * crashed replica's run would otherwise block the thread forever; see `expireStaleRuns`), and
   * `freshIdIfTaken` stores the run under a new random id instead of failing when `id` is taken (AG-UI clients
   * re-send an interrupted run's id when they resume it).
   */
  async createRun(
    ctx: TenantContext,
    input: CreateRunInput,
    options: CreateRunOptions = {},
  ): Promise<RunRecord> {
    const parsed = createSchema.safeParse(input);
    if (!parsed.success) throw validationErrorFromZod("run", parsed.error.issues);
    const r = parsed.data;
    const title = r.title ? shortTitle(displayText(r.title, MAX_TITLE)) || null : null;
    const insert = (tx: Queryable, id: string) =>
      tx.query<RunRow>(
        `INSERT INTO ${this.s}.agent_runs (tenant_id, id, thread_id, kind, background, started_by, title, owner)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, id) DO NOTHING
         RETURNING ${runColumns}`,
        [ctx.tenantId, id, r.threadId, r.kind, r.background, ctx.userId, title, r.owner ?? null],
      );
    const rows = await this.host
      .withTenant(ctx, async (tx) => {
        if (options.expireStaleAfterMs !== undefined) {
          await this.expireIn(tx, ctx, { threadId: r.threadId, staleAfterMs: options.expireStaleAfterMs });
        }
        const created = await insert(tx, r.id ?? randomUUID());
        return created.length === 0 && options.freshIdIfTaken ? insert(tx, randomUUID()) : created;
      })
      .catch((error: unknown) => {
        if (isThreadBusy(error)) throw new RagKitError("conflict", THREAD_BUSY, { cause: error });
        throw error;
      });
    if (!rows[0]) throw new RagKitError("conflict", "A run with this id already exists.");
    return toRun(rows[0]);
  }

  /** Appends events (seq numbers assigned by the caller, increasing); also bumps the run's `last_seq`. */
  async appendEvents(ctx: TenantContext, runId: string, events: readonly NewRunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const parsed = parseEvents(events);
    await this.host.withTenant(ctx, (tx) => this.insertEvents(tx, ctx, runId, parsed));
  }

  private async insertEvents(
    tx: Queryable,
    ctx: TenantContext,
    runId: string,
    events: readonly NewRunEvent[],
  ): Promise<void> {
    if (events.length === 0) return;
    const seqs = events.map((e) => e.seq);
    await tx.query(
      `INSERT INTO ${this.s}.run_events (tenant_id, run_id, seq, type, data)
       SELECT $1, $2, e.seq, e.type, e.data::jsonb
       FROM unnest($3::bigint[], $4::text[], $5::text[]) AS e(seq, type, data)`,
      [ctx.tenantId, runId, seqs, events.map((e) => e.type), events.map((e) => toJsonb(e.data))],
    );
    await tx.query(
      `UPDATE ${this.s}.agent_runs SET last_seq = GREATEST(last_seq, $2), updated_at = now() WHERE id = $1`,
      [runId, Math.max(...seqs)],
    );
  }

  /** Events after `afterSeq` (exclusive), oldest first. */
  async listEvents(
    ctx: TenantContext,
    runId: string,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<RunEventRecord[]> {
    if (!validId(runId)) return [];
    const after = Math.max(0, Math.trunc(options.afterSeq ?? 0));
    const limit = clampLimit(options.limit, 1000, 10_000);
    const rows = await this.host.withTenant(ctx, (tx) =>
      tx.query<RunEventRow>(
        `SELECT e.seq::text AS seq, e.type, e.data, e.created_at FROM ${this.s}.run_events e
         WHERE e.run_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3`,
        [runId, after, limit],
      ),
    );
    return rows.map(toRunEvent);
  }

  /** The run, or null when it does not exist in this tenant. */
  async getRun(ctx: TenantContext, runId: string): Promise<RunRecord | null> {
    if (!validId(runId)) return null;
    const rows = await this.host.withTenant(ctx, (tx) =>
      tx.query<RunRow>(`SELECT ${runColumns} FROM ${this.s}.agent_runs WHERE id = $1`, [runId]),
    );
    return rows[0] ? toRun(rows[0]) : null;
  }

  /** Runs of a thread (oldest first), or the tenant's most recent runs. */
  async listRuns(
    ctx: TenantContext,
    options: { threadId?: string; limit?: number } = {},
  ): Promise<RunRecord[]> {
    const limit = clampLimit(options.limit, 100, 1000);
    if (options.threadId !== undefined && !validId(options.threadId)) return [];
    const rows = await this.host.withTenant(ctx, (tx) =>
      options.threadId === undefined
        ? tx.query<RunRow>(
            `SELECT ${runColumns} FROM ${this.s}.agent_runs ORDER BY updated_at DESC, id LIMIT $1`,
            [limit],
          )
        : tx.query<RunRow>(
            `SELECT ${runColumns} FROM ${this.s}.agent_runs WHERE thread_id = $1 ORDER BY created_at, id LIMIT $2`,
            [options.threadId, limit],
          ),
    );
    return rows.map(toRun);
  }

  /** The tenant's threads, most recently active first; `before` pages by `updatedAt`. */
  async listThreads(
    ctx: TenantContext,
    options: { limit?: number; before?: Date } = {},
  ): Promise<ThreadSummary[]> {
    const limit = clampLimit(options.limit, 50, 500);
    const rows = await this.host.withTenant(ctx, (tx) =>
      tx.query<ThreadRow>(
        `${this.threadSelect()}
         HAVING ($1::timestamptz IS NULL OR max(updated_at) < $1::timestamptz)
         ORDER BY max(updated_at) DESC, thread_id
         LIMIT $2`,
        [options.before?.toISOString() ?? null, limit],
      ),
    );
    return rows.map(toThread);
  }

  /**
   * Renames a thread: every run of it carries the new title (the list shows its first run's title, so later
   * runs must agree). Null when the thread has no runs in this tenant (another tenant's reads as missing).
   */
  async renameThread(ctx: TenantContext, threadId: string, title: string): Promise<ThreadSummary | null> {
    const parsed = threadTitleSchema.safeParse(title);
    if (!parsed.success) throw validationErrorFromZod("thread title", parsed.error.issues);
    if (!validId(threadId)) return null;
    const rows = await this.host.withTenant(ctx, async (tx) => {
      await tx.query(`UPDATE ${this.s}.agent_runs SET title = $2 WHERE thread_id = $1`, [
        threadId,
        displayText(parsed.data, MAX_TITLE),
      ]);
      return tx.query<ThreadRow>(`${this.threadSelect("WHERE thread_id = $1")}`, [threadId]);
    });
    return rows[0] ? toThread(rows[0]) : null;
  }

  /** One row per thread: its first title, run count, last run and status, first and last activity. */
  private threadSelect(where = ""): string {
    return `SELECT thread_id,
                (array_agg(title ORDER BY created_at) FILTER (WHERE title IS NOT NULL))[1] AS title,
                count(*)::text AS run_count,
                (array_agg(id ORDER BY created_at DESC, id DESC))[1] AS last_run_id,
                (array_agg(status ORDER BY created_at DESC, id DESC))[1] AS last_status,
                min(created_at) AS created_at,
                max(updated_at) AS updated_at
         FROM ${this.s}.agent_runs ${where}
         GROUP BY thread_id`;
  }

  /**
   * Marks a running run finished, appending its last events in the same transaction (one write at the end of a
   * run instead of two). Returns false when it was not running (already finished, or missing).
   */
  async finishRun(
    ctx: TenantContext,
    runId: string,
    input: FinishRunInput,
    lastEvents: readonly NewRunEvent[] = [],
  ): Promise<boolean> {
    const parsed = finishSchema.safeParse(input);
    if (!parsed.success) throw validationErrorFromZod("run status", parsed.error.issues);
    if (!validId(runId)) return false;
    const events = parseEvents(lastEvents);
    const f = parsed.data;
    const rows = await this.host.withTenant(ctx, async (tx) => {
      await this.insertEvents(tx, ctx, runId, events);
      return tx.query(
        `UPDATE ${this.s}.agent_runs
         SET status = $2, error_code = $3, error = $4, updated_at = now(), finished_at = now()
         WHERE id = $1 AND status = 'running' RETURNING id`,
        [runId, f.status, displayTextOrNull(f.errorCode, 64), displayTextOrNull(f.error, 2000)],
      );
    });
    return rows.length > 0;
  }

  /** Asks the run's owner to stop it. Returns the run (null when missing); a finished run is left as is. */
  async requestCancel(ctx: TenantContext, runId: string): Promise<RunRecord | null> {
    if (!validId(runId)) return null;
    const rows = await this.host.withTenant(ctx, (tx) =>
      tx.query<RunRow>(
        `UPDATE ${this.s}.agent_runs SET cancel_requested = (status = 'running') OR cancel_requested
         WHERE id = $1 RETURNING ${runColumns}`,
        [runId],
      ),
    );
    return rows[0] ? toRun(rows[0]) : null;
  }

  /**
   * The owner's heartbeat for the runs it executes, and whether a stop was requested for any of them (one
   * statement for all the runs a replica owns). The heartbeat is what `expireStaleRuns` checks.
   */
  async cancelRequested(ctx: TenantContext, runIds: readonly string[]): Promise<string[]> {
    const ids = runIds.filter(validId);
    if (ids.length === 0) return [];
    const rows = await this.host.withTenant(ctx, (tx) =>
      tx.query<{ id: string; cancel_requested: boolean }>(
        `UPDATE ${this.s}.agent_runs SET updated_at = now()
         WHERE id = ANY($1::text[]) AND status = 'running' RETURNING id, cancel_requested`,
        [ids],
      ),
    );
    return rows.filter((r) => r.cancel_requested).map((r) => r.id);
  }

  /**
   * Ends runs whose owner stopped heart-beating for `staleAfterMs` (its process crashed or was killed): each
   * gets a final `run_error` event (code `owner_lost`) and status "failed", so followers stop waiting and the
   * thread accepts new runs. The thread itself stays consistent: its checkpoints hold the last completed step.
   * Returns the ids of the runs it ended.
   */
  async expireStaleRuns(
    ctx: TenantContext,
    filter: { threadId?: string; runId?: string; staleAfterMs: number },
  ): Promise<string[]> {
    if (filter.threadId !== undefined && !validId(filter.threadId)) return [];
    if (filter.runId !== undefined && !validId(filter.runId)) return [];
    return this.host.withTenant(ctx, (tx) => this.expireIn(tx, ctx, filter));
  }

  /** `expireStaleRuns` inside the caller's tenant transaction (ids already validated). */
  private async expireIn(
    tx: Queryable,
    ctx: TenantContext,
    filter: { threadId?: string; runId?: string; staleAfterMs: number },
  ): Promise<string[]> {
    const staleMs = Math.max(1, Math.trunc(filter.staleAfterMs));
    const stale = await tx.query<{ id: string; thread_id: string; last_seq: string | number }>(
      `SELECT id, thread_id, last_seq FROM ${this.s}.agent_runs
       WHERE status = 'running' AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
         AND ($2::text IS NULL OR thread_id = $2) AND ($3::text IS NULL OR id = $3)
       FOR UPDATE SKIP LOCKED`,
      [staleMs, filter.threadId ?? null, filter.runId ?? null],
    );
    const message = "The server running this conversation stopped before the answer was finished.";
    for (const run of stale) {
      const seq = Number(run.last_seq) + 1;
      await this.insertEvents(tx, ctx, run.id, [
        {
          seq,
          type: "run_error",
          data: { type: "run_error", runId: run.id, threadId: run.thread_id, code: "owner_lost", message },
        },
      ]);
      await tx.query(
        `UPDATE ${this.s}.agent_runs SET status = 'failed', error_code = 'owner_lost', error = $2,
           finished_at = now(), updated_at = now() WHERE id = $1`,
        [run.id, message],
      );
    }
    return stale.map((r) => r.id);
  }

  /** Deletes a thread's runs and their events. Returns how many runs were deleted. */
  async deleteThread(ctx: TenantContext, threadId: string): Promise<number> {
    if (!validId(threadId)) return 0;
    const rows = await this.host.withTenant(ctx, (tx) =>
      tx.query(`DELETE FROM ${this.s}.agent_runs WHERE thread_id = $1 RETURNING id`, [threadId]),
    );
    return rows.length;
  }
}

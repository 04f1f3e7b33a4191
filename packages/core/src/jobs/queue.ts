import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import { metadataSchema, textSchema } from "@ragkit/protocol/primitives";
import { z } from "zod";
import type { Queryable } from "../db/driver.js";
import type { EmbeddingUsage } from "../embeddings/openai.js";
import { NotFoundError, RagKitError, ValidationError, validationErrorFromZod } from "../errors/index.js";
import { DEFAULT_MAX_BYTES } from "../ingest/loaders/index.js";
import { type IngestOptions, type IngestProgress, ingestDocument } from "../ingest/pipeline.js";
import { reindexDocument } from "../ingest/reindex.js";
import type { PutDocumentResult } from "../store/documents.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { displayText, displayTextOrNull, int8IdParam } from "../store/storable.js";
import { createTenantContext, type TenantContext } from "../tenant/context.js";
import { type JobEventRow, type JobRow, jobColumns, toJob, toJobEvent } from "./rows.js";
import {
  type Job,
  type JobEvent,
  type JobInput,
  type JobState,
  RUNNING_STATES,
  TERMINAL_STATES,
} from "./types.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const queueOptionsSchema = z.object({
  workerId: z.string().min(1).max(200).optional(),
  /** How long a claimed job stays leased without a heartbeat before another worker may take it over. */
  leaseMs: z.number().int().min(1000).max(3_600_000).default(60_000),
  maxAttempts: z.number().int().min(1).max(100).default(3),
  /** Backoff before a retry: base · 2^(attempt−1), capped. */
  retryBaseMs: z.number().int().min(0).max(3_600_000).default(2_000),
  retryMaxMs: z.number().int().min(0).max(86_400_000).default(300_000),
  pollIntervalMs: z.number().int().min(10).max(60_000).default(500),
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31)
    .default(DEFAULT_MAX_BYTES),
});
export type IngestionQueueOptions = z.input<typeof queueOptionsSchema> & {
  /** Loader/chunker options used by the workers. */
  ingest?: Pick<IngestOptions, "load" | "chunking" | "embedBatchSize">;
};

const enqueueSchema = z.object({
  data: z.instanceof(Uint8Array, { message: "must be a Uint8Array (or Buffer)" }),
  filename: textSchema.min(1).max(1024).optional(),
  mimeType: textSchema.max(255).optional(),
  sourceId: textSchema.min(1).max(2048).optional(),
  sourceUrl: textSchema.max(4096).optional(),
  source: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, "must be a short lowercase word")
    .optional(),
  title: textSchema.max(1000).optional(),
  metadata: metadataSchema.optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
});
export type EnqueueInput = z.input<typeof enqueueSchema>;

/** Errors that a retry cannot fix: the job fails at once. */
const PERMANENT = new Set([
  "invalid_input",
  "unsupported_type",
  "too_large",
  "not_found",
  "unknown_tenant",
  "dimension_mismatch",
  "config_error",
]);

class LeaseLostError extends Error {}

/**
 * Durable ingestion jobs in Postgres. Each job is a row with a state machine
 * (queued → parsing → chunking → embedding → indexing → done | failed | cancelled), attempts, last error and
 * progress; progress is also an append-only event log that any process can stream. Workers lease jobs with
 * `FOR UPDATE SKIP LOCKED`, heartbeat while they work, and a job whose worker died is taken over when its
 * lease expires. The document write and the job's completion commit in one transaction.
 */
export class IngestionQueue {
  readonly options: z.output<typeof queueOptionsSchema>;
  readonly workerId: string;
  private readonly wake = new EventEmitter();
  private readonly ingest: IngestionQueueOptions["ingest"];
  private readonly workers = new Set<{ stop(): Promise<void> }>();

  constructor(
    readonly store: KnowledgeStore,
    options: IngestionQueueOptions = {},
  ) {
    const { ingest, ...rest } = options;
    const parsed = queueOptionsSchema.safeParse(rest);
    if (!parsed.success) throw validationErrorFromZod("queue options", parsed.error.issues);
    this.options = parsed.data;
    this.ingest = ingest;
    this.workerId = parsed.data.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.wake.setMaxListeners(0);
  }

  private get s() {
    return this.store.schema;
  }

  /** Queues a file for ingestion. Size is checked here, so an oversized upload is refused before it is stored. */
  async enqueue(ctx: TenantContext, input: EnqueueInput): Promise<Job> {
    const parsed = enqueueSchema.safeParse(input);
    if (!parsed.success) throw validationErrorFromZod("ingestion input", parsed.error.issues);
    const { data, maxAttempts, ...meta } = parsed.data;
    if (data.byteLength === 0) throw new ValidationError("Invalid ingestion input: the file is empty.");
    if (data.byteLength > this.options.maxBytes) {
      throw new RagKitError(
        "too_large",
        `File is ${data.byteLength} bytes; the limit is ${this.options.maxBytes} bytes.`,
      );
    }
    const jobInput: JobInput = { ...meta, sizeBytes: data.byteLength };
    const row = await this.store.withTenant(ctx, async (tx) => {
      const [job] = await tx.query<JobRow>(
        `INSERT INTO ${this.s}.jobs (tenant_id, input, payload, max_attempts, created_by)
         VALUES ($1, $2::jsonb, $3, $4, $5) RETURNING ${jobColumns}`,
        [ctx.tenantId, JSON.stringify(jobInput), data, maxAttempts ?? this.options.maxAttempts, ctx.userId],
      );
      await this.appendEvent(tx, job!.id, ctx.tenantId, "queued", 0, jobInput.filename ?? null);
      return job!;
    });
    this.wake.emit("job");
    return toJob(row);
  }

  /**
   * Queues a reindex of a stored document: re-chunked and re-embedded from its stored text with the current
   * chunking settings and embedder (see `reindexDocument`). Another tenant's id is "not found".
   */
  async enqueueReindex(ctx: TenantContext, documentId: string): Promise<Job> {
    const { document } = await this.store.getDocumentText(ctx, documentId);
    const jobInput: JobInput = {
      reindexOf: document.id,
      sizeBytes: 0,
      ...(document.title ? { title: document.title } : {}),
      ...(typeof document.metadata.filename === "string" ? { filename: document.metadata.filename } : {}),
    };
    const row = await this.store.withTenant(ctx, async (tx) => {
      const [job] = await tx.query<JobRow>(
        `INSERT INTO ${this.s}.jobs (tenant_id, input, payload, max_attempts, created_by, document_id)
         VALUES ($1, $2::jsonb, NULL, $3, $4, $5) RETURNING ${jobColumns}`,
        [ctx.tenantId, JSON.stringify(jobInput), this.options.maxAttempts, ctx.userId, document.id],
      );
      await this.appendEvent(tx, job!.id, ctx.tenantId, "queued", 0, "reindex");
      return job!;
    });
    this.wake.emit("job");
    return toJob(row);
  }

  async get(ctx: TenantContext, id: string): Promise<Job> {
    return this.store.withTenant(ctx, (tx) => this.select(tx, id));
  }

  async list(ctx: TenantContext, options: { state?: JobState; limit?: number } = {}): Promise<Job[]> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 500);
    const rows = await this.store.withTenant(ctx, (tx) =>
      tx.query<JobRow>(
        `SELECT ${jobColumns} FROM ${this.s}.jobs WHERE ($1::text IS NULL OR state = $1)
         ORDER BY created_at DESC, id LIMIT $2`,
        [options.state ?? null, limit],
      ),
    );
    return rows.map(toJob);
  }

  /** Cancels a job that has not finished. A running worker notices at its next progress step and stops. */
  async cancel(ctx: TenantContext, id: string): Promise<Job> {
    return this.store.withTenant(ctx, async (tx) => {
      const job = await this.select(tx, id);
      if (TERMINAL_STATES.includes(job.state)) return job;
      await tx.query(
        `UPDATE ${this.s}.jobs SET state = 'cancelled', payload = NULL, finished_at = now(), updated_at = now(),
           locked_by = NULL, locked_until = NULL WHERE id = $1`,
        [id],
      );
      await this.appendEvent(tx, id, ctx.tenantId, "cancelled", job.progress, "cancelled");
      return this.select(tx, id);
    });
  }

  /** Puts a failed job back in the queue (its file is kept until the job is done or cancelled). */
  async retry(ctx: TenantContext, id: string): Promise<Job> {
    return this.store.withTenant(ctx, async (tx) => {
      const job = await this.select(tx, id);
      if (job.state !== "failed") {
        throw new RagKitError("conflict", `Only failed jobs can be retried; this job is ${job.state}.`);
      }
      await tx.query(
        `UPDATE ${this.s}.jobs SET state = 'queued', attempts = 0, progress = 0, run_after = now(), updated_at = now(),
           finished_at = NULL WHERE id = $1`,
        [id],
      );
      await this.appendEvent(tx, id, ctx.tenantId, "queued", 0, "retry requested");
      this.wake.emit("job");
      return this.select(tx, id);
    });
  }

  /**
   * The job's progress events from the beginning (or after `afterId`), then live until the job ends. Works
   * across processes: events live in Postgres; this process's own writes wake the stream early.
   */
  async *events(
    ctx: TenantContext,
    id: string,
    options: { afterId?: string; signal?: AbortSignal; pollIntervalMs?: number } = {},
  ): AsyncGenerator<JobEvent> {
    await this.get(ctx, id); // not found (or another tenant's) → NotFoundError before streaming
    let after = int8IdParam(options.afterId, "afterId") ?? "0";
    const poll = options.pollIntervalMs ?? Math.min(this.options.pollIntervalMs, 250);
    while (!options.signal?.aborted) {
      const rows = await this.store.withTenant(ctx, (tx) =>
        tx.query<JobEventRow>(
          `SELECT seq::text AS id, job_id, state, progress, message, created_at FROM ${this.s}.job_events
           WHERE job_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT 500`,
          [id, after],
        ),
      );
      for (const row of rows) {
        const event = toJobEvent(row);
        after = event.id;
        yield event;
        if (TERMINAL_STATES.includes(event.state)) return;
      }
      if (rows.length === 0) await this.sleepUntilWoken(poll, options.signal);
    }
  }

  /** Resolves with the job once it is done, failed or cancelled. */
  async wait(ctx: TenantContext, id: string, options: { signal?: AbortSignal } = {}): Promise<Job> {
    for await (const _ of this.events(ctx, id, options)) {
      // drain until terminal
    }
    return this.get(ctx, id);
  }

  /** Claims and processes at most one job. Returns it (in its final state), or null when none is ready. */
  async runOnce(signal?: AbortSignal): Promise<Job | null> {
    const claimed = await this.claim();
    if (!claimed) return null;
    return this.process(claimed, signal);
  }

  /** Processes jobs until none is ready. Returns how many were processed. */
  async drain(options: { signal?: AbortSignal; maxJobs?: number } = {}): Promise<number> {
    let n = 0;
    const max = options.maxJobs ?? Number.POSITIVE_INFINITY;
    while (n < max && !options.signal?.aborted) {
      const job = await this.runOnce(options.signal);
      if (!job) break;
      n++;
    }
    return n;
  }

  /** Background worker loop(s). `stop()` finishes the jobs in hand and resolves. */
  startWorker(options: { concurrency?: number } = {}): { stop(): Promise<void> } {
    const controller = new AbortController();
    const loops = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, async () => {
      while (!controller.signal.aborted) {
        try {
          const job = await this.runOnce();
          if (!job) await this.sleepUntilWoken(this.options.pollIntervalMs, controller.signal);
        } catch {
          // A database hiccup must not kill the worker; back off and try again.
          await this.sleepUntilWoken(this.options.pollIntervalMs * 4, controller.signal);
        }
      }
    });
    const worker = {
      stop: async () => {
        controller.abort();
        this.workers.delete(worker);
        await Promise.allSettled(loops);
      },
    };
    this.workers.add(worker);
    return worker;
  }

  /** Stops every worker this queue started (what a host's shutdown calls before closing the store). */
  async stopWorkers(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.stop()));
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private async select(tx: Queryable, id: string): Promise<Job> {
    if (typeof id !== "string" || !UUID.test(id)) throw new NotFoundError("Job not found.");
    const rows = await tx.query<JobRow>(`SELECT ${jobColumns} FROM ${this.s}.jobs WHERE id = $1`, [id]);
    if (!rows[0]) throw new NotFoundError("Job not found.");
    return toJob(rows[0]);
  }

  private async appendEvent(
    tx: Queryable,
    jobId: string,
    tenantId: string,
    state: JobState,
    progress: number,
    message: string | null,
  ) {
    await tx.query(
      `INSERT INTO ${this.s}.job_events (job_id, tenant_id, state, progress, message) VALUES ($1, $2, $3, $4, $5)`,
      // Progress notes and errors carry file names and library messages: escaped, never refused.
      [jobId, tenantId, state, progress, displayTextOrNull(message, 2000)],
    );
    this.wake.emit("event");
  }

  /** Leases the oldest ready job of any tenant, as the worker role (which can see jobs and nothing else). */
  private async claim(): Promise<{
    id: string;
    tenantId: string;
    attempts: number;
    maxAttempts: number;
    input: JobInput;
    payload: Uint8Array | null;
    createdBy: string | null;
    takeover: boolean;
  } | null> {
    const rows = await this.store.driver.transaction(async (tx) => {
      await tx.query("SELECT set_config('role', $1, true)", [`${this.s}_app_worker`]);
      return tx.query<{
        id: string;
        tenant_id: string;
        attempts: number;
        max_attempts: number;
        input: JobInput | string;
        payload: Uint8Array | null;
        created_by: string | null;
        prev_state: JobState;
      }>(
        `WITH next AS (
           SELECT id, state AS prev_state FROM ${this.s}.jobs
           WHERE (state = 'queued' AND run_after <= now())
              OR (state = ANY($3::text[]) AND locked_until < now())
           ORDER BY run_after, created_at
           FOR UPDATE SKIP LOCKED
           LIMIT 1
         )
         UPDATE ${this.s}.jobs j SET state = 'parsing', attempts = j.attempts + 1, locked_by = $1,
           locked_until = now() + ($2::text || ' milliseconds')::interval, started_at = coalesce(j.started_at, now()),
           updated_at = now()
         FROM next WHERE j.id = next.id
         RETURNING j.id, j.tenant_id, j.attempts, j.max_attempts, j.input, j.payload, j.created_by, next.prev_state`,
        [this.workerId, String(this.options.leaseMs), [...RUNNING_STATES]],
      );
    });
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      input: typeof row.input === "string" ? (JSON.parse(row.input) as JobInput) : row.input,
      payload: row.payload,
      createdBy: row.created_by,
      takeover: row.prev_state !== "queued",
    };
  }

  private async process(
    claimed: NonNullable<Awaited<ReturnType<IngestionQueue["claim"]>>>,
    outer?: AbortSignal,
  ): Promise<Job> {
    const ctx = createTenantContext({
      tenantId: claimed.tenantId,
      userId: claimed.createdBy,
      source: "worker",
    });
    let lastState: JobState = "parsing";
    let lastProgress = -1;

    const heartbeat = setInterval(
      () => {
        void this.touch(ctx, claimed.id, lastState, null, false).catch(() => {});
      },
      Math.max(500, Math.floor(this.options.leaseMs / 3)),
    );
    heartbeat.unref?.();

    try {
      await this.touch(
        ctx,
        claimed.id,
        "parsing",
        0,
        true,
        claimed.takeover ? "resumed after an interrupted attempt" : null,
      );
      if (claimed.attempts > claimed.maxAttempts) {
        throw new RagKitError("provider_error", `Gave up after ${claimed.maxAttempts} attempts.`);
      }
      const reindexOf = claimed.input.reindexOf;
      if (!claimed.payload && !reindexOf) throw new ValidationError("The job's file is no longer available.");
      const onProgress = async (p: IngestProgress) => {
        const stageChanged = p.stage !== lastState;
        if (!stageChanged && p.progress - lastProgress < 0.05) return;
        lastState = p.stage;
        lastProgress = p.progress;
        // Throws LeaseLostError when the job was cancelled or taken over, which stops the pipeline.
        await this.touch(ctx, claimed.id, p.stage, p.progress, true, p.detail ?? null);
      };
      const data = claimed.payload;
      const common = {
        ...this.ingest,
        ...(outer ? { signal: outer } : {}),
        onProgress,
        beforeCommit: async (tx: Queryable, result: PutDocumentResult, usage: EmbeddingUsage) => {
          const summary = {
            outcome: result.outcome,
            chunks: result.document.chunkCount,
            tokens: usage.totalTokens,
            costUsd: usage.costUsd,
          };
          const done = await tx.query(
            `UPDATE ${this.s}.jobs SET state = 'done', progress = 1, document_id = $3, result = $4::jsonb, payload = NULL,
               last_error = NULL, error_code = NULL, finished_at = now(), updated_at = now(), locked_by = NULL, locked_until = NULL
             WHERE id = $1 AND locked_by = $2 AND state <> 'cancelled' RETURNING id`,
            [claimed.id, this.workerId, result.document.id, JSON.stringify(summary)],
          );
          // Cancelled or taken over meanwhile: roll the document write back with the job.
          if (done.length === 0) throw new LeaseLostError("job was cancelled or taken over");
          if (result.outcome !== "unchanged") {
            await tx.query(
              `INSERT INTO ${this.s}.usage_records (tenant_id, document_id, job_id, kind, model, prompt_tokens, total_tokens, cost_usd)
               VALUES ($1, $2, $3, 'embedding', $4, $5, $6, $7)`,
              [
                ctx.tenantId,
                result.document.id,
                claimed.id,
                this.store.embedder.name,
                usage.promptTokens,
                usage.totalTokens,
                usage.costUsd,
              ],
            );
          }
          await this.appendEvent(
            tx,
            claimed.id,
            ctx.tenantId,
            "done",
            1,
            `${result.outcome}: ${summary.chunks} chunks`,
          );
        },
      };
      if (reindexOf) {
        await reindexDocument(this.store, ctx, reindexOf, common);
      } else {
        await ingestDocument(
          this.store,
          ctx,
          {
            data: data instanceof Uint8Array ? data : new Uint8Array(data!),
            ...(claimed.input.filename ? { filename: claimed.input.filename } : {}),
            ...(claimed.input.mimeType ? { mimeType: claimed.input.mimeType } : {}),
            ...(claimed.input.sourceId ? { sourceId: claimed.input.sourceId } : {}),
            ...(claimed.input.sourceUrl ? { sourceUrl: claimed.input.sourceUrl } : {}),
            ...(claimed.createdBy ? { uploadedBy: claimed.createdBy } : {}),
          },
          {
            ...common,
            ...(claimed.input.source ? { source: claimed.input.source } : {}),
            ...(claimed.input.title ? { title: claimed.input.title } : {}),
            ...(claimed.input.metadata ? { metadata: claimed.input.metadata } : {}),
          },
        );
      }
    } catch (error) {
      if (!(error instanceof LeaseLostError)) await this.fail(ctx, claimed, error);
    } finally {
      clearInterval(heartbeat);
    }
    return this.get(ctx, claimed.id);
  }

  /** Records progress and extends the lease; throws LeaseLostError if the job was cancelled or taken over. */
  private async touch(
    ctx: TenantContext,
    id: string,
    state: JobState,
    progress: number | null,
    event: boolean,
    message: string | null = null,
  ): Promise<void> {
    await this.store.withTenant(ctx, async (tx) => {
      const rows = await tx.query<{ progress: number }>(
        `UPDATE ${this.s}.jobs SET state = $3, progress = coalesce($4::real, progress), updated_at = now(),
           locked_until = now() + ($5::text || ' milliseconds')::interval
         WHERE id = $1 AND locked_by = $2 AND state NOT IN ('done', 'failed', 'cancelled') RETURNING progress`,
        [id, this.workerId, state, progress, String(this.options.leaseMs)],
      );
      if (rows.length === 0) throw new LeaseLostError("job was cancelled or taken over");
      if (event) await this.appendEvent(tx, id, ctx.tenantId, state, Number(rows[0]!.progress), message);
    });
  }

  private async fail(
    ctx: TenantContext,
    claimed: { id: string; attempts: number; maxAttempts: number },
    error: unknown,
  ) {
    const code = error instanceof RagKitError ? error.code : "internal_error";
    const message = error instanceof Error ? error.message : String(error);
    const retry = !PERMANENT.has(code) && code !== "aborted" && claimed.attempts < claimed.maxAttempts;
    const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (claimed.attempts - 1));
    await this.store.withTenant(ctx, async (tx) => {
      // One statement either way: a retry goes back to the queue after a backoff, a final failure ends the job.
      const rows = await tx.query<{ progress: number }>(
        `UPDATE ${this.s}.jobs SET last_error = $3, error_code = $4, updated_at = now(), locked_by = NULL, locked_until = NULL,
           state = CASE WHEN $5::boolean THEN 'queued' ELSE 'failed' END,
           run_after = CASE WHEN $5::boolean THEN now() + ($6::text || ' milliseconds')::interval ELSE run_after END,
           finished_at = CASE WHEN $5::boolean THEN NULL ELSE now() END
         WHERE id = $1 AND locked_by = $2 AND state <> 'cancelled' RETURNING progress`,
        [claimed.id, this.workerId, displayText(message, 2000), code, retry, String(delay)],
      );
      if (rows[0]) {
        await this.appendEvent(
          tx,
          claimed.id,
          ctx.tenantId,
          retry ? "queued" : "failed",
          Number(rows[0].progress),
          retry ? `attempt ${claimed.attempts} failed, retrying in ${delay} ms: ${message}` : message,
        );
      }
    });
    if (retry) setTimeout(() => this.wake.emit("job"), delay).unref?.();
  }

  private sleepUntilWoken(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.off("job", done);
        this.wake.off("event", done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.on("job", done);
      this.wake.on("event", done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

import { createHash, randomUUID } from "node:crypto";
import type { Queryable } from "../db/driver.js";
import { RagKitError } from "../errors/index.js";
import { defaultMaxDecompressedBytes, detectDocumentType } from "../ingest/loaders/index.js";
import type { IngestionQueue } from "../jobs/queue.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import type { TenantContext } from "../tenant/context.js";
import { ConnectorError, isAbort } from "./errors.js";
import type {
  Connector,
  ConnectorKind,
  ObjectAction,
  RemoteObject,
  SyncCounts,
  SyncEvent,
  SyncSummary,
} from "./types.js";

/** The resumable part of a connector's `state` column. */
export interface SyncState {
  /** Delta sources: where the next sync starts. */
  delta?: string | null;
  /** A sync that has not completed: resuming continues its listing from `cursor` with the same run id. */
  run?: { id: string; cursor: string | null; counts: SyncCounts; startedAt: string } | null;
}

export interface SyncOptions {
  signal?: AbortSignal;
  /** Objects fetched and enqueued in parallel. Default 8. */
  concurrency?: number;
  /** Ignore an interrupted run and start the listing over. */
  restart?: boolean;
  /** Safety bound on listing pages (default 1,000,000). */
  maxPages?: number;
}

export interface SyncTarget {
  id: string;
  kind: ConnectorKind;
  state: SyncState;
}

interface ObjectRow {
  object_key: string;
  version: string | null;
  job_id: string | null;
}

const zero = (): SyncCounts => ({
  listed: 0,
  unchanged: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  failed: 0,
  fetched: 0,
  bytes: 0,
});

/** Errors an identical retry cannot fix: the object keeps its version and is skipped until it changes. */
const PERMANENT = new Set(["too_large", "unsupported_type", "invalid_input"]);

/**
 * One sync of one connector: list → diff against the stored version map → fetch new/changed objects and
 * enqueue them as ingestion jobs → delete documents of removed objects. The listing cursor and counts are
 * persisted after every page, so a cancelled or crashed sync resumes where it stopped. One object failing is
 * recorded on its row and reported as an event; only connector-level failures (credentials, missing bucket,
 * network during listing) end the sync.
 */
export class SyncRun {
  private readonly s: string;
  private readonly counts: SyncCounts;
  readonly runId: string;
  readonly resumed: boolean;
  private cursor: string | null;
  private readonly jobIds: string[] = [];
  /** Version-map rows of the current batch, written together by `flush`. */
  private readonly pending: Array<{
    key: string;
    version: string | null;
    size: number | null;
    jobId: string | null;
    error: { code: string; message: string } | null;
  }> = [];
  private readonly started = performance.now();

  constructor(
    private readonly store: KnowledgeStore,
    private readonly queue: IngestionQueue,
    private readonly ctx: TenantContext,
    private readonly target: SyncTarget,
    private readonly connector: Connector,
    private readonly options: SyncOptions,
    private readonly heartbeat: (tx: Queryable) => Promise<void>,
  ) {
    this.s = store.schema;
    const run = options.restart ? null : target.state.run;
    this.resumed = Boolean(run);
    this.runId = run?.id ?? randomUUID();
    // Counts describe this call only; the run's earlier progress stays in the persisted state for inspection.
    this.counts = zero();
    this.cursor = run ? run.cursor : connector.mode === "delta" ? (target.state.delta ?? null) : null;
  }

  private get signal() {
    return this.options.signal;
  }

  async *run(): AsyncGenerator<SyncEvent, SyncSummary> {
    yield { type: "started", connectorId: this.target.id, runId: this.runId, resumed: this.resumed };
    const startedAt = new Date().toISOString();
    await this.persist({ cursor: this.cursor, startedAt });
    if (this.signal?.aborted) return yield* this.cancelled();
    try {
      await this.connector.authenticate(this.signal);
    } catch (error) {
      if (isAbort(error, this.signal)) return yield* this.cancelled();
      throw error;
    }
    const maxPages = this.options.maxPages ?? 1_000_000;
    let delta: string | null | undefined = this.target.state.delta;
    for (let page = 0; page < maxPages; page++) {
      if (this.signal?.aborted) return yield* this.cancelled();
      let listing: Awaited<ReturnType<Connector["list"]>>;
      try {
        listing = await this.connector.list(this.cursor, this.signal);
      } catch (error) {
        if (isAbort(error, this.signal)) return yield* this.cancelled();
        throw error;
      }
      this.counts.listed += listing.objects.length;
      const cancelled = yield* this.processPage(listing.objects);
      if (cancelled) return yield* this.cancelled();
      this.cursor = listing.nextCursor;
      if (listing.deltaCursor !== undefined) delta = listing.deltaCursor;
      await this.persist({ cursor: this.cursor, startedAt });
      yield { type: "page", listed: listing.objects.length, counts: { ...this.counts } };
      if (!listing.nextCursor) {
        if (this.connector.mode === "full") {
          for await (const event of this.deleteUnseen()) yield event;
        }
        return yield* this.finish(delta);
      }
    }
    throw new ConnectorError("invalid_response", `The listing did not end after ${maxPages} pages.`);
  }

  // ---- pages ---------------------------------------------------------------------------------------------

  /** Returns true when cancelled part-way (the page is then listed again on resume). */
  private async *processPage(listed: readonly RemoteObject[]): AsyncGenerator<SyncEvent, boolean> {
    // A key listed twice in one page (delta pages may repeat an item): its last entry wins.
    const objects = [...new Map(listed.map((o) => [o.key, o])).values()];
    const keys = objects.map((o) => o.key);
    const known = new Map(
      (
        await this.store.withTenant(this.ctx, (tx) =>
          tx.query<ObjectRow>(
            `SELECT object_key, version, job_id::text FROM ${this.s}.connector_objects
             WHERE connector_id = $1 AND object_key = ANY($2::text[])`,
            [this.target.id, keys],
          ),
        )
      ).map((r) => [r.object_key, r]),
    );
    const unchanged: string[] = [];
    const work: RemoteObject[] = [];
    const deletions: RemoteObject[] = [];
    for (const o of objects) {
      const row = known.get(o.key);
      if (o.deleted) deletions.push(o);
      else if (o.skip) unchanged.push(o.key);
      else if (row && o.version !== null && row.version === o.version) {
        this.counts.unchanged++;
        unchanged.push(o.key);
      } else work.push(o);
    }
    if (unchanged.length) await this.markSeen(unchanged);
    for (const o of deletions) {
      const event = await this.deleteObject(o.key, known.get(o.key) ?? null);
      if (event) yield event;
    }
    const concurrency = Math.max(1, this.options.concurrency ?? 8);
    for (let i = 0; i < work.length; i += concurrency) {
      if (this.signal?.aborted) return true;
      const batch = work.slice(i, i + concurrency);
      const events = await Promise.all(batch.map((o) => this.syncObject(o, known.get(o.key) ?? null)));
      await this.flush();
      for (const e of events) if (e) yield e;
      if (this.signal?.aborted) return true;
    }
    return false;
  }

  private async syncObject(o: RemoteObject, row: ObjectRow | null): Promise<SyncEvent | null> {
    let version = o.version;
    try {
      if (o.size !== undefined && o.size > this.connector.maxBytes) {
        throw new ConnectorError(
          "too_large",
          `Object is ${o.size} bytes; the limit is ${this.connector.maxBytes} bytes.`,
        );
      }
      const data = await this.connector.fetch(o, this.signal);
      this.counts.fetched++;
      this.counts.bytes += data.byteLength;
      if (version === null) {
        // No change marker from the source: the content hash is the version.
        version = `sha256:${createHash("sha256").update(data).digest("hex")}`;
        if (row?.version === version) {
          this.counts.unchanged++;
          await this.markSeen([o.key]);
          return null;
        }
      }
      if (data.byteLength === 0) throw new RagKitError("invalid_input", "The object is empty (0 bytes).");
      // Cheap magic-byte check now, so an unsupported file is reported by this sync and never becomes a job.
      detectDocumentType(
        { data, filename: o.name, ...(o.mimeType ? { mimeType: o.mimeType } : {}) },
        { maxDecompressedBytes: defaultMaxDecompressedBytes(data.byteLength) },
      );
      const job = await this.queue.enqueue(this.ctx, {
        data: data as Uint8Array<ArrayBuffer>, // enqueue stores the bytes; their backing buffer kind is irrelevant
        filename: o.name.slice(0, 1024),
        sourceId: `${this.target.id}:${o.key}`.slice(0, 2048),
        source: this.target.kind,
        ...(o.url ? { sourceUrl: o.url.slice(0, 4096) } : {}),
        ...(o.mimeType ? { mimeType: o.mimeType } : {}),
        title: o.name.slice(0, 1000),
        metadata: {
          connectorId: this.target.id,
          connectorKind: this.target.kind,
          objectKey: o.key,
          version,
          ...(o.modifiedAt ? { modifiedAt: o.modifiedAt } : {}),
        },
      });
      this.jobIds.push(job.id);
      this.pending.push({ key: o.key, version, size: data.byteLength, jobId: job.id, error: null });
      const action: ObjectAction = row ? "updated" : "created";
      this.counts[action]++;
      return { type: "object", key: o.key, action, jobId: job.id };
    } catch (error) {
      if (isAbort(error, this.signal)) return null; // the page is listed again on resume
      const code =
        error instanceof ConnectorError
          ? error.failure
          : error instanceof RagKitError
            ? error.code
            : "internal_error";
      const message = error instanceof Error ? error.message : String(error);
      this.counts.failed++;
      // Permanent failures keep the version (not retried until the object changes); others are retried.
      this.pending.push({
        key: o.key,
        version: PERMANENT.has(code) ? version : null,
        size: o.size ?? null,
        jobId: null,
        error: { code, message: message.slice(0, 2000) },
      });
      return { type: "object_failed", key: o.key, code, message };
    }
  }

  // ---- deletions -----------------------------------------------------------------------------------------

  /** Objects that the completed listing of this run did not see were deleted at the source. */
  private async *deleteUnseen(): AsyncGenerator<SyncEvent> {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const gone = await this.store.withTenant(this.ctx, (tx) =>
        tx.query<ObjectRow>(
          `SELECT object_key, version, job_id::text FROM ${this.s}.connector_objects
           WHERE connector_id = $1 AND seen_run IS DISTINCT FROM $2 ORDER BY object_key LIMIT 500`,
          [this.target.id, this.runId],
        ),
      );
      if (gone.length === 0) return;
      for (const row of gone) {
        const event = await this.deleteObject(row.object_key, row);
        if (event) yield event;
      }
    }
  }

  private async deleteObject(key: string, row: ObjectRow | null): Promise<SyncEvent | null> {
    if (row?.job_id) {
      // A job still queued for the object would otherwise recreate the document after this delete.
      const job = await this.queue.get(this.ctx, row.job_id).catch(() => null);
      if (job && !["done", "failed", "cancelled"].includes(job.state))
        await this.queue.cancel(this.ctx, job.id);
    }
    const docs = await this.store.withTenant(this.ctx, (tx) =>
      tx.query<{ id: string }>(`SELECT id FROM ${this.s}.documents WHERE source = $1 AND source_id = $2`, [
        this.target.kind,
        `${this.target.id}:${key}`.slice(0, 2048),
      ]),
    );
    for (const d of docs) await this.store.deleteDocument(this.ctx, d.id);
    await this.store.withTenant(this.ctx, (tx) =>
      tx.query(`DELETE FROM ${this.s}.connector_objects WHERE connector_id = $1 AND object_key = $2`, [
        this.target.id,
        key,
      ]),
    );
    if (!row && docs.length === 0) return null; // a deletion of something we never had
    this.counts.deleted++;
    return { type: "object", key, action: "deleted" };
  }

  // ---- bookkeeping ---------------------------------------------------------------------------------------

  private async markSeen(keys: readonly string[]) {
    await this.store.withTenant(this.ctx, (tx) =>
      tx.query(
        `UPDATE ${this.s}.connector_objects SET seen_run = $3
         WHERE connector_id = $1 AND object_key = ANY($2::text[]) AND seen_run IS DISTINCT FROM $3`,
        [this.target.id, keys, this.runId],
      ),
    );
  }

  /** Writes the batch's version-map rows in one statement (one transaction per batch, not per object). */
  private async flush() {
    const rows = this.pending.splice(0);
    if (rows.length === 0) return;
    await this.store.withTenant(this.ctx, async (tx) => {
      await this.heartbeat(tx); // long pages keep the sync's claim alive
      await tx.query(
        `INSERT INTO ${this.s}.connector_objects
           (tenant_id, connector_id, object_key, version, size_bytes, job_id, last_error, error_code, seen_run)
         SELECT ${this.s}.current_tenant(), $1, u.k, u.v, u.sz, u.j, u.e, u.c, $2
         FROM unnest($3::text[], $4::text[], $5::bigint[], $6::uuid[], $7::text[], $8::text[]) AS u(k, v, sz, j, e, c)
         ON CONFLICT (connector_id, object_key) DO UPDATE SET version = EXCLUDED.version,
           size_bytes = EXCLUDED.size_bytes, job_id = coalesce(EXCLUDED.job_id, connector_objects.job_id),
           last_error = EXCLUDED.last_error, error_code = EXCLUDED.error_code, seen_run = EXCLUDED.seen_run,
           updated_at = now()`,
        [
          this.target.id,
          this.runId,
          rows.map((r) => r.key),
          rows.map((r) => r.version),
          rows.map((r) => r.size),
          rows.map((r) => r.jobId),
          rows.map((r) => r.error?.message ?? null),
          rows.map((r) => r.error?.code ?? null),
        ],
      );
    });
  }

  private async persist(run: { cursor: string | null; startedAt: string }) {
    const state: SyncState = {
      ...(this.target.state.delta !== undefined ? { delta: this.target.state.delta } : {}),
      run: { id: this.runId, cursor: run.cursor, counts: { ...this.counts }, startedAt: run.startedAt },
    };
    await this.store.withTenant(this.ctx, async (tx) => {
      await tx.query(`UPDATE ${this.s}.connectors SET state = $2::jsonb WHERE id = $1`, [
        this.target.id,
        JSON.stringify(state),
      ]);
      await this.heartbeat(tx);
    });
  }

  private summary(status: SyncSummary["status"]): SyncSummary {
    return {
      connectorId: this.target.id,
      runId: this.runId,
      status,
      resumed: this.resumed,
      ...this.counts,
      jobIds: [...this.jobIds],
      elapsedMs: Math.round(performance.now() - this.started),
    };
  }

  private async *finish(delta: string | null | undefined): AsyncGenerator<SyncEvent, SyncSummary> {
    const summary = this.summary(this.counts.failed > 0 ? "partial" : "succeeded");
    const state: SyncState = delta ? { delta } : {};
    await this.store.withTenant(this.ctx, (tx) =>
      tx.query(`UPDATE ${this.s}.connectors SET state = $2::jsonb WHERE id = $1`, [
        this.target.id,
        JSON.stringify(state),
      ]),
    );
    yield { type: "finished", summary };
    return summary;
  }

  private async *cancelled(): AsyncGenerator<SyncEvent, SyncSummary> {
    // The state (run id, cursor of the last completed page, counts) is already persisted: resume continues it.
    const summary = this.summary("cancelled");
    yield { type: "cancelled", summary };
    return summary;
  }
}

import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { textSchema } from "@ragkit/protocol/primitives";
import type { Queryable } from "../db/driver.js";
import { NotFoundError, RagKitError, ValidationError, validationErrorFromZod } from "../errors/index.js";
import type { IngestionQueue } from "../jobs/queue.js";
import { Egress } from "../net/egress.js";
import type { EgressOptions } from "../net/policy.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { assertStorableJson, displayTextOrNull } from "../store/storable.js";
import type { TenantContext } from "../tenant/context.js";
import { SecretBox } from "./crypto.js";
import { verifyEndpoints } from "./endpoints.js";
import { createConnector } from "./factory.js";
import { type SyncOptions, SyncRun, type SyncState } from "./sync.js";
import {
  type Connector,
  type ConnectorKind,
  type ConnectorObjectRecord,
  type ConnectorRecord,
  type CreateConnectorInput,
  connectorKindSchema,
  connectorSchemas,
  type SyncEvent,
  type SyncSummary,
  type UpdateConnectorInput,
} from "./types.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const nameSchema = textSchema.trim().min(1).max(200);
/** A sync whose heartbeat is older than this is considered crashed; another may take over. */
const SYNC_STALE_SECONDS = 120;

interface ConnectorRow {
  id: string;
  tenant_id: string;
  kind: ConnectorKind;
  name: string;
  config: Record<string, unknown> | string;
  has_secret: boolean;
  state: SyncState | string;
  last_sync_status: ConnectorRecord["lastSync"]["status"];
  last_sync_error: string | null;
  last_sync_summary: SyncSummary | string | null;
  last_sync_at: Date | string | null;
  created_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

// The secret columns are never selected here: only `secretOf` reads them, for a sync.
const columns = `id, tenant_id, kind, name, config, secret IS NOT NULL AS has_secret, state, last_sync_status,
  last_sync_error, last_sync_summary, last_sync_at, created_by, created_at, updated_at`;

const json = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);

function toRecord(row: ConnectorRow): ConnectorRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    name: row.name,
    config: json(row.config),
    hasCredentials: row.has_secret,
    lastSync: {
      status: row.last_sync_status,
      at: row.last_sync_at === null ? null : new Date(row.last_sync_at),
      error: row.last_sync_error,
      summary: row.last_sync_summary === null ? null : json(row.last_sync_summary),
    },
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export interface ConnectorServiceOptions {
  /** Encryption of credentials; default from RAGKIT_CONNECTOR_KEY (read on first use). */
  secrets?: SecretBox;
  /**
   * Where connectors may connect (S3 endpoints, SharePoint/Graph, URL lists): checked when a connector is
   * created or updated and on every connection of a sync. Default: public addresses only. Allow private
   * endpoints explicitly, e.g. `{ allow: ["10.0.0.0/8", "minio.internal"] }`.
   */
  egress?: EgressOptions | Egress;
}

/**
 * Connectors of a tenant: create/list/get/update/delete and sync. Every statement runs through
 * `store.withTenant`, so another tenant's connector is indistinguishable from a missing one. Credentials are
 * encrypted before they reach the database and are never part of a returned record or an error message.
 */
export class ConnectorService {
  private box: SecretBox | undefined;
  readonly egress: Egress;

  constructor(
    readonly store: KnowledgeStore,
    readonly queue: IngestionQueue,
    options: ConnectorServiceOptions = {},
  ) {
    this.box = options.secrets;
    this.egress = Egress.from(options.egress);
  }

  private get s() {
    return this.store.schema;
  }

  private get secrets(): SecretBox {
    this.box ??= SecretBox.fromEnv();
    return this.box;
  }

  async create(ctx: TenantContext, input: CreateConnectorInput): Promise<ConnectorRecord> {
    const kind = parseKind((input as { kind?: unknown }).kind);
    const name = parseName(input.name);
    const config = parseConfig(kind, input.config);
    const credentials = parseCredentials(kind, input.credentials ?? {});
    await verifyEndpoints(this.egress, kind, config);
    const id = randomUUID();
    const sealed = this.seal(ctx, id, credentials);
    const [row] = await this.store.withTenant(ctx, (tx) =>
      tx.query<ConnectorRow>(
        `INSERT INTO ${this.s}.connectors (id, tenant_id, kind, name, config, secret, secret_key_id, created_by)
         VALUES ($1, ${this.s}.current_tenant(), $2, $3, $4::jsonb, $5, $6, $7) RETURNING ${columns}`,
        [
          id,
          kind,
          name,
          JSON.stringify(config),
          sealed?.ciphertext ?? null,
          sealed?.keyId ?? null,
          ctx.userId,
        ],
      ),
    );
    return toRecord(row!);
  }

  async list(ctx: TenantContext): Promise<ConnectorRecord[]> {
    const rows = await this.store.withTenant(ctx, (tx) =>
      tx.query<ConnectorRow>(`SELECT ${columns} FROM ${this.s}.connectors ORDER BY created_at, id`),
    );
    return rows.map(toRecord);
  }

  async get(ctx: TenantContext, id: string): Promise<ConnectorRecord> {
    return toRecord(await this.store.withTenant(ctx, (tx) => this.select(tx, id)));
  }

  async update(ctx: TenantContext, id: string, patch: UpdateConnectorInput): Promise<ConnectorRecord> {
    if (patch.config !== undefined) {
      // Checked before the transaction: DNS answers can take seconds, which a row lock should not wait for.
      const { kind } = await this.get(ctx, id);
      await verifyEndpoints(this.egress, kind, parseConfig(kind, patch.config));
    }
    return this.store.withTenant(ctx, async (tx) => {
      const current = await this.select(tx, id);
      const name = patch.name === undefined ? current.name : parseName(patch.name);
      const config =
        patch.config === undefined ? json(current.config) : parseConfig(current.kind, patch.config);
      const sealed =
        patch.credentials === undefined
          ? undefined
          : this.seal(ctx, id, parseCredentials(current.kind, patch.credentials));
      // A new configuration may point at another bucket or drive: the stored cursors no longer apply.
      const resetState = patch.config !== undefined;
      const [row] = await tx.query<ConnectorRow>(
        `UPDATE ${this.s}.connectors SET name = $2, config = $3::jsonb, updated_at = now(),
           secret = CASE WHEN $4::boolean THEN $5 ELSE secret END,
           secret_key_id = CASE WHEN $4::boolean THEN $6 ELSE secret_key_id END,
           state = CASE WHEN $7::boolean THEN '{}'::jsonb ELSE state END
         WHERE id = $1 RETURNING ${columns}`,
        [
          id,
          name,
          JSON.stringify(config),
          sealed !== undefined,
          sealed?.ciphertext ?? null,
          sealed?.keyId ?? null,
          resetState,
        ],
      );
      return toRecord(row!);
    });
  }

  /**
   * Deletes the connector and its version map. With `deleteDocuments`, also the documents it produced
   * (otherwise they stay searchable, detached from any source).
   */
  async delete(ctx: TenantContext, id: string, options: { deleteDocuments?: boolean } = {}): Promise<void> {
    const connector = await this.get(ctx, id);
    if (options.deleteDocuments) {
      const docs = await this.store.withTenant(ctx, (tx) =>
        tx.query<{ id: string }>(
          `SELECT id FROM ${this.s}.documents WHERE source = $1 AND starts_with(source_id, $2)`,
          [connector.kind, `${id}:`],
        ),
      );
      for (const d of docs) await this.store.deleteDocument(ctx, d.id);
    }
    await this.store.withTenant(ctx, (tx) =>
      tx.query(`DELETE FROM ${this.s}.connectors WHERE id = $1`, [id]),
    );
  }

  /** The version map: one row per remote object, with its job, document and last error. */
  async objects(
    ctx: TenantContext,
    id: string,
    options: { failedOnly?: boolean; limit?: number } = {},
  ): Promise<ConnectorObjectRecord[]> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 1000), 1), 10_000);
    return this.store.withTenant(ctx, async (tx) => {
      await this.select(tx, id);
      const rows = await tx.query<{
        object_key: string;
        version: string | null;
        size_bytes: string | number | null;
        job_id: string | null;
        document_id: string | null;
        last_error: string | null;
        error_code: string | null;
        updated_at: Date | string;
      }>(
        `SELECT object_key, version, size_bytes, job_id::text, document_id::text, last_error, error_code, updated_at
         FROM ${this.s}.connector_objects WHERE connector_id = $1 AND (NOT $2::boolean OR last_error IS NOT NULL)
         ORDER BY object_key LIMIT $3`,
        [id, options.failedOnly === true, limit],
      );
      return rows.map((r) => ({
        key: r.object_key,
        version: r.version,
        sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
        jobId: r.job_id,
        documentId: r.document_id,
        lastError: r.last_error,
        errorCode: r.error_code,
        updatedAt: new Date(r.updated_at),
      }));
    });
  }

  /**
   * Copies the outcome of finished ingestion jobs onto the version map: the document id, or the job's error.
   * A job that failed for a transient reason (or was cancelled) clears the object's version, so the next sync
   * fetches it again. Returns the objects whose job failed since the last reconcile.
   */
  async reconcile(
    ctx: TenantContext,
    id: string,
  ): Promise<Array<{ key: string; code: string; message: string }>> {
    return this.store.withTenant(ctx, async (tx) => {
      await this.select(tx, id);
      const rows = await tx.query<{
        object_key: string;
        error_code: string | null;
        last_error: string | null;
      }>(
        `UPDATE ${this.s}.connector_objects o SET
           document_id = CASE WHEN j.state = 'done' THEN j.document_id ELSE o.document_id END,
           last_error = CASE WHEN j.state = 'done' THEN NULL ELSE coalesce(j.last_error, j.state) END,
           error_code = CASE WHEN j.state = 'done' THEN NULL ELSE coalesce(j.error_code, j.state) END,
           version = CASE WHEN j.state = 'done' OR j.error_code = ANY($2::text[]) THEN o.version ELSE NULL END,
           job_id = NULL, updated_at = now()
         FROM ${this.s}.jobs j
         WHERE o.connector_id = $1 AND o.job_id = j.id AND j.state IN ('done', 'failed', 'cancelled')
         RETURNING o.object_key, o.error_code, o.last_error`,
        [id, ["too_large", "unsupported_type", "invalid_input"]],
      );
      return rows
        .filter((r) => r.error_code !== null)
        .map((r) => ({ key: r.object_key, code: r.error_code!, message: r.last_error ?? "" }));
    });
  }

  /**
   * Syncs the connector, yielding progress events. Cancel with `options.signal`: the stored cursor lets the
   * next call resume the interrupted listing (pass `restart: true` to start over). Connector-level failures
   * (credentials, missing bucket, unreachable source) throw a ConnectorError after being recorded on the
   * connector; per-object failures are events and rows, and never stop the sync.
   */
  async *sync(
    ctx: TenantContext,
    id: string,
    options: SyncOptions = {},
  ): AsyncGenerator<SyncEvent, SyncSummary> {
    const owner = randomUUID();
    const { row, secret } = await this.claim(ctx, id, owner);
    let connector: Connector | undefined;
    let summary: SyncSummary | undefined;
    let failure: unknown;
    try {
      // Inside the try: a key or configuration problem must release the claim and be recorded too.
      const credentials = secret ? parseCredentials(row.kind, JSON.parse(this.open(ctx, id, secret))) : {};
      // Stored configurations are not trusted either: the egress policy checks each connection of the sync.
      connector = createConnector(row.kind, json(row.config), credentials, this.egress);
      await this.reconcile(ctx, id);
      const run = new SyncRun(
        this.store,
        this.queue,
        ctx,
        { id, kind: row.kind, state: json(row.state) },
        connector,
        options,
        async (tx) => {
          await tx.query(
            `UPDATE ${this.s}.connectors SET sync_heartbeat = now() WHERE id = $1 AND sync_owner = $2`,
            [id, owner],
          );
        },
      );
      summary = yield* run.run();
      return summary;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      connector?.close?.();
      // Also reached when the consumer stops iterating early: the claim is always released.
      const status = summary?.status ?? (failure ? "failed" : "cancelled");
      const message =
        failure instanceof RagKitError ? failure.message : failure ? "The sync failed unexpectedly." : null;
      await this.store.withTenant(ctx, (tx) =>
        tx.query(
          `UPDATE ${this.s}.connectors SET sync_owner = NULL, sync_heartbeat = NULL, last_sync_status = $3,
             last_sync_error = $4, last_sync_summary = coalesce($5::jsonb, last_sync_summary), last_sync_at = now()
           WHERE id = $1 AND sync_owner = $2`,
          [id, owner, status, displayTextOrNull(message, 2000), summary ? JSON.stringify(summary) : null],
        ),
      );
    }
  }

  /**
   * Re-encrypts this tenant's connector credentials with the current key (after a key rotation). Returns
   * how many were re-encrypted. Rows sealed with an unknown key fail with a ConfigError naming the key id.
   */
  async reencryptSecrets(ctx: TenantContext): Promise<number> {
    return this.store.withTenant(ctx, async (tx) => {
      const rows = await tx.query<{ id: string; secret: Uint8Array; secret_key_id: string }>(
        `SELECT id, secret, secret_key_id FROM ${this.s}.connectors
         WHERE secret IS NOT NULL AND secret_key_id <> $1 FOR UPDATE`,
        [this.secrets.currentKeyId],
      );
      for (const r of rows) {
        const plain = this.open(ctx, r.id, { ciphertext: r.secret, keyId: r.secret_key_id });
        const sealed = this.secrets.seal(plain, aadOf(ctx, r.id));
        await tx.query(`UPDATE ${this.s}.connectors SET secret = $2, secret_key_id = $3 WHERE id = $1`, [
          r.id,
          sealed.ciphertext,
          sealed.keyId,
        ]);
      }
      return rows.length;
    });
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private seal(ctx: TenantContext, id: string, credentials: Record<string, unknown>) {
    if (Object.keys(credentials).length === 0) return null;
    return this.secrets.seal(JSON.stringify(credentials), aadOf(ctx, id));
  }

  private open(ctx: TenantContext, id: string, sealed: { ciphertext: Uint8Array; keyId: string }): string {
    return this.secrets.open(sealed, aadOf(ctx, id));
  }

  private async select(tx: Queryable, id: string): Promise<ConnectorRow> {
    if (typeof id !== "string" || !UUID.test(id)) throw new NotFoundError("Connector not found.");
    const rows = await tx.query<ConnectorRow>(`SELECT ${columns} FROM ${this.s}.connectors WHERE id = $1`, [
      id,
    ]);
    if (!rows[0]) throw new NotFoundError("Connector not found.");
    return rows[0];
  }

  /** Makes this sync the connector's only running one (a crashed sync's claim expires). */
  private async claim(ctx: TenantContext, id: string, owner: string) {
    return this.store.withTenant(ctx, async (tx) => {
      const row = await this.select(tx, id);
      const claimed = await tx.query<{ secret: Uint8Array | null; secret_key_id: string | null }>(
        `UPDATE ${this.s}.connectors SET sync_owner = $2, sync_heartbeat = now(), last_sync_status = 'running'
         WHERE id = $1 AND (sync_owner IS NULL OR sync_heartbeat < now() - ($3::text || ' seconds')::interval)
         RETURNING secret, secret_key_id`,
        [id, owner, String(SYNC_STALE_SECONDS)],
      );
      if (!claimed[0]) throw new RagKitError("conflict", "A sync of this connector is already running.");
      const { secret, secret_key_id } = claimed[0];
      return {
        row,
        secret: secret && secret_key_id ? { ciphertext: secret, keyId: secret_key_id } : null,
      };
    });
  }
}

/** Binds a ciphertext to its tenant and connector (see SecretBox). */
function aadOf(ctx: TenantContext, id: string): string {
  return `ragkit-connector:${ctx.tenantId}:${id}`;
}

function parseKind(kind: unknown): ConnectorKind {
  const parsed = connectorKindSchema.safeParse(kind);
  if (!parsed.success) throw validationErrorFromZod("connector kind", parsed.error.issues);
  return parsed.data;
}

function parseName(name: unknown): string {
  const parsed = nameSchema.safeParse(name);
  if (!parsed.success) throw validationErrorFromZod("connector name", parsed.error.issues);
  return parsed.data;
}

export function parseConfig(kind: ConnectorKind, config: unknown): Record<string, unknown> {
  const parsed = connectorSchemas[kind].config.safeParse(config);
  if (!parsed.success) throw validationErrorFromZod(`${kind} connector config`, parsed.error.issues);
  const out = parsed.data as Record<string, unknown>;
  assertStorableJson(out, `${kind} connector config`, { maxDepth: 8, maxBytes: 64 * 1024 });
  if (kind === "dir") {
    const dir = out as { root: string; include: string[]; exclude: string[] };
    dir.root = resolve(dir.root);
    if ([...dir.include, ...dir.exclude].some((p) => p.split(/[\\/]/).includes(".."))) {
      throw new ValidationError("Invalid dir connector config: patterns may not contain '..'.", {
        details: [{ path: "include", message: "may not contain '..'" }],
      });
    }
  }
  return out;
}

/** Validation messages name the field, never its value (it may be a secret). */
export function parseCredentials(kind: ConnectorKind, credentials: unknown): Record<string, unknown> {
  const parsed = connectorSchemas[kind].credentials.safeParse(credentials);
  if (!parsed.success) {
    throw validationErrorFromZod(
      `${kind} connector credentials`,
      parsed.error.issues.map((i) => ({
        path: i.path,
        // Field names are safe to echo; values (and zod's messages, which may quote them) are not.
        message:
          i.code === "unrecognized_keys" ? `unknown field(s) ${i.keys.join(", ")}` : `invalid ${i.code}`,
      })),
    );
  }
  return parsed.data as Record<string, unknown>;
}

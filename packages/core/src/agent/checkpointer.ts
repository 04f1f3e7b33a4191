import type { RunnableConfig } from "@langchain/core/runnables";
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  compareWritesSortKeys,
  getCheckpointId,
  type PendingWrite,
  type SerializerProtocol,
  WRITES_IDX_MAP,
  writesSortKey,
} from "@langchain/langgraph-checkpoint";
import type { Queryable } from "../db/driver.js";
import { ValidationError } from "../errors/index.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { assertTenantContext, type TenantContext } from "../tenant/context.js";

/** What the saver needs from a store: tenant-scoped transactions (app role + RLS) and the schema name. */
export type CheckpointStore = Pick<KnowledgeStore, "withTenant" | "schema">;

export function isCheckpointStore(value: unknown): value is CheckpointStore {
  const v = value as Partial<CheckpointStore> | null;
  return typeof v?.withTenant === "function" && typeof v.schema === "string";
}

/**
 * A run reads its thread's latest checkpoint twice before its first step: the agent's own `getState` (to build
 * the run's input) and LangGraph's loop (`getTuple`). A memo passed in both configs (`configurable[TUPLE_MEMO]`)
 * lets the second read reuse the first: one transaction less per run, and both reads agree by construction.
 * One entry, taken once; any write through a config carrying the memo closes it.
 */
export const TUPLE_MEMO = "ragkitTupleMemo";

export class TupleMemo {
  private entry: { key: string; tuple: CheckpointTuple | undefined } | null = null;
  private closed = false;

  /** The remembered tuple for `key`, once (then the memo is closed). */
  take(key: string): { tuple: CheckpointTuple | undefined } | null {
    const entry = this.entry;
    if (this.closed || entry?.key !== key) return null;
    this.close();
    return { tuple: entry.tuple };
  }

  offer(key: string, tuple: CheckpointTuple | undefined): void {
    if (!this.closed && this.entry === null) this.entry = { key, tuple };
  }

  close(): void {
    this.closed = true;
    this.entry = null;
  }
}

function memoOf(config: RunnableConfig | undefined): TupleMemo | null {
  const memo: unknown = config?.configurable?.[TUPLE_MEMO];
  return memo instanceof TupleMemo ? memo : null;
}

interface CheckpointRow {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  checkpoint_type: string;
  checkpoint: Uint8Array;
  metadata_type: string;
  metadata: Uint8Array;
}

interface WriteRow {
  task_id: string;
  idx: number;
  task_path: string;
  channel: string;
  value_type: string;
  value: Uint8Array;
}

/** PGlite returns bytea as Uint8Array, node-postgres as Buffer: hand the serde a plain Uint8Array. */
function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string" && value.startsWith("\\x"))
    return new Uint8Array(Buffer.from(value.slice(2), "hex"));
  throw new Error("Unexpected bytea value from the database driver.");
}

/** Buffer is a Uint8Array both drivers send as bytea. */
const toParam = (data: Uint8Array | string): Buffer =>
  typeof data === "string"
    ? Buffer.from(data, "utf8")
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** The tenant of a checkpointer call: only from `config.configurable.tenant` (a verified TenantContext). */
function tenantOf(config: RunnableConfig | undefined, what: string): TenantContext {
  const tenant: unknown = config?.configurable?.tenant;
  try {
    assertTenantContext(tenant);
  } catch {
    throw new ValidationError(
      `TenantCheckpointSaver.${what} needs a TenantContext in config.configurable.tenant.`,
      {
        details: [
          { path: "configurable.tenant", message: "a TenantContext from createTenantContext() is required" },
        ],
      },
    );
  }
  return tenant;
}

function threadOf(config: RunnableConfig, what: string): string {
  const threadId: unknown = config.configurable?.thread_id;
  if (typeof threadId !== "string" || threadId.length === 0) {
    throw new ValidationError(`TenantCheckpointSaver.${what} needs config.configurable.thread_id.`);
  }
  return threadId;
}

/**
 * A LangGraph checkpointer on the RagKit store's own tables (migration 003), scoped per tenant by row-level
 * security: every call runs in `store.withTenant(config.configurable.tenant, …)`, i.e. as the non-owner app
 * role with the tenant set transaction-locally. A tenant cannot read or overwrite another tenant's thread even
 * with the same thread id, and a missing tenant is an error, never "all tenants".
 */
export class TenantCheckpointSaver extends BaseCheckpointSaver {
  private readonly store: CheckpointStore;
  private readonly table: string;
  private readonly writesTable: string;
  /** A row's tenant is the transaction's tenant (what RLS checks), never a value passed by the caller. */
  private readonly currentTenant: string;

  constructor(store: CheckpointStore, serde?: SerializerProtocol) {
    super(serde);
    if (!/^[a-z_][a-z0-9_]*$/.test(store.schema)) throw new ValidationError("Invalid store schema name.");
    this.store = store;
    this.table = `${store.schema}.agent_checkpoints`;
    this.writesTable = `${store.schema}.agent_checkpoint_writes`;
    this.currentTenant = `${store.schema}.current_tenant()`;
  }

  private async pendingWrites(
    tx: Queryable,
    threadId: string,
    ns: string,
    checkpointId: string,
  ): Promise<CheckpointPendingWrite[]> {
    const rows = await tx.query<WriteRow>(
      `SELECT task_id, idx, task_path, channel, value_type, value FROM ${this.writesTable}
       WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3`,
      [threadId, ns, checkpointId],
    );
    rows.sort((a, b) =>
      compareWritesSortKeys(
        writesSortKey(a.task_path, a.task_id, a.idx),
        writesSortKey(b.task_path, b.task_id, b.idx),
      ),
    );
    return Promise.all(
      rows.map(
        async (r): Promise<CheckpointPendingWrite> => [
          r.task_id,
          r.channel,
          await this.serde.loadsTyped(r.value_type, bytes(r.value)),
        ],
      ),
    );
  }

  private async toTuple(tx: Queryable, row: CheckpointRow): Promise<CheckpointTuple> {
    const configurable = {
      thread_id: row.thread_id,
      checkpoint_ns: row.checkpoint_ns,
      checkpoint_id: row.checkpoint_id,
    };
    const tuple: CheckpointTuple = {
      config: { configurable },
      checkpoint: (await this.serde.loadsTyped(row.checkpoint_type, bytes(row.checkpoint))) as Checkpoint,
      metadata: (await this.serde.loadsTyped(row.metadata_type, bytes(row.metadata))) as CheckpointMetadata,
      pendingWrites: await this.pendingWrites(tx, row.thread_id, row.checkpoint_ns, row.checkpoint_id),
    };
    if (row.parent_checkpoint_id) {
      tuple.parentConfig = { configurable: { ...configurable, checkpoint_id: row.parent_checkpoint_id } };
    }
    return tuple;
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const tenant = tenantOf(config, "getTuple");
    const threadId = threadOf(config, "getTuple");
    const ns: string = config.configurable?.checkpoint_ns ?? "";
    const checkpointId = getCheckpointId(config);
    const memo = memoOf(config);
    // The tenant is part of the key: a memo never answers for another tenant's thread of the same id.
    const key = JSON.stringify([tenant.tenantId, threadId, ns, checkpointId ?? null]);
    const remembered = memo?.take(key);
    if (remembered) return remembered.tuple;
    const tuple = await this.store.withTenant(tenant, async (tx) => {
      const [row] = await tx.query<CheckpointRow>(
        `SELECT * FROM ${this.table} WHERE thread_id = $1 AND checkpoint_ns = $2
         ${checkpointId ? "AND checkpoint_id = $3" : "ORDER BY checkpoint_id DESC LIMIT 1"}`,
        checkpointId ? [threadId, ns, checkpointId] : [threadId, ns],
      );
      return row ? this.toTuple(tx, row) : undefined;
    });
    memo?.offer(key, tuple);
    return tuple;
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const tenant = tenantOf(config, "list");
    const { before, filter } = options;
    let limit = options.limit;
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace("?", `$${params.length}`));
    };
    const c = config.configurable ?? {};
    if (c.thread_id !== undefined) add("thread_id = ?", c.thread_id);
    if (c.checkpoint_ns !== undefined) add("checkpoint_ns = ?", c.checkpoint_ns);
    if (c.checkpoint_id) add("checkpoint_id = ?", c.checkpoint_id);
    if (before?.configurable?.checkpoint_id) add("checkpoint_id < ?", before.configurable.checkpoint_id);
    const sqlLimit =
      filter === undefined && limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(limit))}` : "";
    // One transaction reads the page; the tuples are yielded afterwards (no transaction held across yields).
    const tuples = await this.store.withTenant(tenant, async (tx) => {
      const rows = await tx.query<CheckpointRow>(
        `SELECT * FROM ${this.table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY checkpoint_id DESC${sqlLimit}`,
        params,
      );
      const out: CheckpointTuple[] = [];
      for (const row of rows) {
        if (limit !== undefined && limit <= 0) break;
        if (filter) {
          const metadata = (await this.serde.loadsTyped(row.metadata_type, bytes(row.metadata))) as Record<
            string,
            unknown
          >;
          if (!Object.entries(filter).every(([k, v]) => metadata[k] === v)) continue;
        }
        out.push(await this.toTuple(tx, row));
        if (limit !== undefined) limit -= 1;
      }
      return out;
    });
    yield* tuples;
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    _newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    memoOf(config)?.close();
    const tenant = tenantOf(config, "put");
    const threadId = threadOf(config, "put");
    const ns: string = config.configurable?.checkpoint_ns ?? "";
    const parent: string | undefined = config.configurable?.checkpoint_id;
    const [[checkpointType, checkpointBytes], [metadataType, metadataBytes]] = await Promise.all([
      this.serde.dumpsTyped(checkpoint),
      this.serde.dumpsTyped(metadata),
    ]);
    await this.store.withTenant(tenant, (tx) =>
      tx.query(
        `INSERT INTO ${this.table} (tenant_id, thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id,
           checkpoint_type, checkpoint, metadata_type, metadata)
         VALUES (${this.currentTenant}, $1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET
           checkpoint_type = EXCLUDED.checkpoint_type, checkpoint = EXCLUDED.checkpoint,
           metadata_type = EXCLUDED.metadata_type, metadata = EXCLUDED.metadata`,
        [
          threadId,
          ns,
          checkpoint.id,
          parent ?? null,
          checkpointType,
          toParam(checkpointBytes),
          metadataType,
          toParam(metadataBytes),
        ],
      ),
    );
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
  ): Promise<void> {
    memoOf(config)?.close();
    const tenant = tenantOf(config, "putWrites");
    const threadId = threadOf(config, "putWrites");
    const ns: string = config.configurable?.checkpoint_ns ?? "";
    const checkpointId: unknown = config.configurable?.checkpoint_id;
    if (typeof checkpointId !== "string" || !checkpointId) {
      throw new ValidationError("TenantCheckpointSaver.putWrites needs config.configurable.checkpoint_id.");
    }
    const rows = await Promise.all(
      writes.map(async ([channel, value], i) => {
        const [type, data] = await this.serde.dumpsTyped(value);
        return { channel, idx: WRITES_IDX_MAP[channel] ?? i, type, data: toParam(data) };
      }),
    );
    if (rows.length === 0) return;
    // One multi-row INSERT per conflict rule (a step's writes are one round trip, not one per channel):
    // regular writes are kept (first write wins); special ones (errors, interrupts: idx < 0) are replaced.
    const kept = rows.filter((r) => r.idx >= 0);
    // The last of several special writes with one idx wins (as when they were written one by one); one
    // statement may not update a row twice.
    const replaced = [...new Map(rows.filter((r) => r.idx < 0).map((r) => [r.idx, r])).values()];
    await this.store.withTenant(tenant, async (tx) => {
      for (const [group, onConflict] of [
        [kept, "NOTHING"],
        [
          replaced,
          "UPDATE SET channel = EXCLUDED.channel, value_type = EXCLUDED.value_type, value = EXCLUDED.value, task_path = EXCLUDED.task_path",
        ],
      ] as const) {
        if (group.length === 0) continue;
        // $1..$5 are shared by every row; each row adds its idx, channel, value_type and value.
        const params: unknown[] = [threadId, ns, checkpointId, taskId, taskPath];
        const values = group.map((r) => {
          params.push(r.idx, r.channel, r.type, r.data);
          const n = params.length;
          return `(${this.currentTenant}, $1, $2, $3, $4, $${n - 3}::int, $5, $${n - 2}, $${n - 1}, $${n})`;
        });
        await tx.query(
          `INSERT INTO ${this.writesTable} (tenant_id, thread_id, checkpoint_ns, checkpoint_id, task_id, idx,
             task_path, channel, value_type, value)
           VALUES ${values.join(", ")}
           ON CONFLICT (tenant_id, thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO ${onConflict}`,
          params,
        );
      }
    });
  }

  /**
   * Deletes a thread's checkpoints and writes for one tenant. LangGraph's signature has no config, so the tenant
   * is a required second argument (a TenantContext, or a config carrying `configurable.tenant`).
   */
  async deleteThread(threadId: string, tenant?: TenantContext | RunnableConfig): Promise<void> {
    const ctx = tenantOf(
      tenant && "configurable" in tenant ? tenant : { configurable: { tenant } },
      "deleteThread",
    );
    await this.store.withTenant(ctx, async (tx) => {
      await tx.query(`DELETE FROM ${this.writesTable} WHERE thread_id = $1`, [threadId]);
      await tx.query(`DELETE FROM ${this.table} WHERE thread_id = $1`, [threadId]);
    });
  }
}

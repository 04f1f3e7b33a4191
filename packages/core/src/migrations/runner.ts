import { createHash } from "node:crypto";
import type { SqlDriver } from "../db/driver.js";
import { sqlStateOf } from "../db/pglite.js";
import { RagKitError } from "../errors/index.js";
import type { Migration, MigrationContext } from "./types.js";

export interface MigrationResult {
  applied: number[];
  current: number;
}

/**
 * Applies pending migrations, each in its own transaction, under a transaction-level advisory lock so
 * several replicas opening the same database at once apply each migration exactly once. Roles are shared by
 * every database of a cluster and advisory locks are not, so two databases migrating at once can race on
 * CREATE ROLE / GRANT: the loser's transaction is rolled back and retried, and then sees the winner's role.
 */
export async function runMigrations(
  driver: SqlDriver,
  list: readonly Migration[],
  context: MigrationContext,
): Promise<MigrationResult> {
  const s = context.schema;
  const lockKey = `ragkit:migrations:${s}`;
  const applied: number[] = [];
  for (const migration of list) {
    const sql = migration.sql(context);
    const checksum = createHash("sha256").update(sql).digest("hex").slice(0, 16);
    await retryCatalogRace(() =>
      driver.transaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [lockKey]);
        await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        await tx.query(
          `CREATE TABLE IF NOT EXISTS ${s}.migrations (
           version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now())`,
        );
        const done = await tx.query<{ checksum: string }>(
          `SELECT checksum FROM ${s}.migrations WHERE version = $1`,
          [migration.version],
        );
        if (done[0]) {
          if (done[0].checksum !== checksum) {
            throw new RagKitError(
              "config_error",
              `Migration ${migration.version} (${migration.name}) was applied with different SQL. ` +
                "Released migrations must never change; add a new migration instead.",
            );
          }
          return;
        }
        await tx.exec(sql);
        await tx.query(`INSERT INTO ${s}.migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
          migration.version,
          migration.name,
          checksum,
        ]);
        applied.push(migration.version);
      }),
    );
  }
  if (context.runtimeRole) {
    // Idempotent; the role must exist (created by the operator with LOGIN and a password).
    const grant = `GRANT ${context.appRole}, ${context.appRole}_worker, ${context.appRole}_readonly TO ${context.runtimeRole}`;
    await retryCatalogRace(() => driver.exec(grant));
  }
  return { applied, current: list.at(-1)?.version ?? 0 };
}

/** Constraints of the cluster-wide role catalogs that concurrent CREATE ROLE / GRANT can collide on. */
const ROLE_CATALOG = /pg_authid_rolname_index|pg_auth_members_role_member_index/;

function isCatalogRace(error: unknown): boolean {
  const state = sqlStateOf(error);
  const cause = (error as { cause?: { constraint?: string } } | null)?.cause;
  const message = error instanceof Error ? error.message : "";
  if (state === "23505") return ROLE_CATALOG.test(cause?.constraint ?? message);
  // "role … already exists" / "tuple concurrently updated" (GRANT of the same membership at the same time)
  return state === "42710" || (state === "XX000" && /concurrently updated/.test(message));
}

async function retryCatalogRace<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isCatalogRace(error)) throw error;
    }
  }
}

import { createHash } from "node:crypto";
import type { SqlDriver } from "../db/driver.js";
import { RagKitError } from "../errors/index.js";
import type { Migration, MigrationContext } from "./types.js";

export interface MigrationResult {
  applied: number[];
  current: number;
}

/**
 * Applies pending migrations, each in its own transaction, under a transaction-level advisory lock so
 * several replicas opening the same database at once apply each migration exactly once.
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
    await driver.transaction(async (tx) => {
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
    });
  }
  if (context.runtimeRole) {
    // Idempotent; the role must exist (created by the operator with LOGIN and a password).
    await driver.exec(
      `GRANT ${context.appRole}, ${context.appRole}_worker, ${context.appRole}_readonly TO ${context.runtimeRole}`,
    );
  }
  return { applied, current: list.at(-1)?.version ?? 0 };
}

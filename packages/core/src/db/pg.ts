import type { Pool, PoolClient, PoolConfig } from "pg";
import type { Queryable, SqlDriver } from "./driver.js";
import { wrapDatabaseError } from "./pglite.js";

export interface PgDriverOptions {
  connectionString?: string;
  /** An existing pool; the driver will not end it. */
  pool?: Pool;
  poolConfig?: Omit<PoolConfig, "connectionString">;
}

export async function createPgDriver(options: PgDriverOptions): Promise<SqlDriver> {
  let pool: Pool;
  let owned = true;
  if (options.pool) {
    pool = options.pool;
    owned = false;
  } else {
    const pg = await import("pg");
    const PoolClass = (pg.default?.Pool ?? (pg as unknown as { Pool: typeof Pool }).Pool) as typeof Pool;
    pool = new PoolClass({ ...options.poolConfig, connectionString: options.connectionString });
    // An idle client error (e.g. server restart) must not crash the host process.
    pool.on("error", () => {});
  }
  const run = async <R>(client: Pool | PoolClient, sql: string, params?: readonly unknown[]) => {
    try {
      const result = await client.query(sql, params ? [...params] : undefined);
      return result.rows as R[];
    } catch (error) {
      throw wrapDatabaseError(error);
    }
  };
  return {
    kind: "pg",
    query: (sql, params) => run(pool, sql, params),
    exec: async (sql) => {
      await run(pool, sql);
    },
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
      const client = await pool.connect().catch((error: unknown) => {
        throw wrapDatabaseError(error);
      });
      let broken = false;
      try {
        await run(client, "BEGIN");
        const result = await fn({
          query: (sql, params) => run(client, sql, params),
          exec: async (sql) => {
            await run(client, sql);
          },
        });
        await run(client, "COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: async () => {
      if (owned) await pool.end();
    },
  };
}

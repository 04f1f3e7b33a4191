import type { PGlite } from "@electric-sql/pglite";
import { RagKitError } from "../errors/index.js";
import type { Queryable, SqlDriver } from "./driver.js";

export interface PGliteDriverOptions {
  /** A data directory for persistence; omit for in-memory. */
  dataDir?: string;
  /** An existing PGlite instance (must have the pgvector extension loaded). The driver will not close it. */
  instance?: PGlite;
  /** A `dumpDataDir()` tarball to start from (fast clone of a prepared database). */
  loadDataDir?: Blob | File;
}

/** PGlite is a single Postgres session: transactions are serialised by PGlite itself. */
export async function createPGliteDriver(options: PGliteDriverOptions = {}): Promise<SqlDriver> {
  let db: PGlite;
  let owned = true;
  if (options.instance) {
    db = options.instance;
    owned = false;
  } else {
    const [{ PGlite: PGliteClass }, { vector }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("@electric-sql/pglite-pgvector"),
    ]);
    db = await PGliteClass.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions: { vector },
    });
  }
  const run = async <R>(q: Pick<PGlite, "query">, sql: string, params?: readonly unknown[]) => {
    try {
      const result = await q.query<R>(sql, params ? [...params] : undefined);
      return result.rows;
    } catch (error) {
      throw wrapDatabaseError(error);
    }
  };
  const exec = async (q: Pick<PGlite, "exec">, sql: string) => {
    try {
      await q.exec(sql);
    } catch (error) {
      throw wrapDatabaseError(error);
    }
  };
  return {
    kind: "pglite",
    query: (sql, params) => run(db, sql, params),
    exec: (sql) => exec(db, sql),
    transaction: async (fn) => {
      try {
        return await db.transaction(async (tx) =>
          fn({ query: (sql, params) => run(tx, sql, params), exec: (sql) => exec(tx, sql) }),
        );
      } catch (error) {
        throw wrapDatabaseError(error);
      }
    },
    close: async () => {
      if (owned && !db.closed) await db.close();
    },
  };
}

/** Keeps RagKitErrors as they are; wraps driver errors so callers see one error family. */
export function wrapDatabaseError(error: unknown): unknown {
  if (error instanceof RagKitError) return error;
  if (error instanceof Error && "code" in error && typeof (error as { code: unknown }).code === "string") {
    const pgError = new RagKitError("database_error", error.message, { cause: error });
    (pgError as RagKitError & { sqlState?: string }).sqlState = (error as { code: string }).code;
    return pgError;
  }
  return error;
}

export function sqlStateOf(error: unknown): string | undefined {
  return (error as { sqlState?: string } | null)?.sqlState;
}

export type { Queryable };

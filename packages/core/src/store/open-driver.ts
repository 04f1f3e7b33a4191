import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlDriver } from "../db/driver.js";
import { createPgDriver } from "../db/pg.js";
import { createPGliteDriver } from "../db/pglite.js";
import { ConfigError } from "../errors/index.js";

/**
 * Picks the driver from a connection string: nothing or "memory://" → in-memory PGlite; "postgres://" or
 * "postgresql://" → `pg`; "file://…" or any other string → PGlite persisted in that directory (created with
 * its missing parents).
 */
export async function openDriver(database: string | undefined): Promise<SqlDriver> {
  if (!database || database === "memory://") return createPGliteDriver();
  if (/^postgres(ql)?:\/\//i.test(database)) return createPgDriver({ connectionString: database });
  const dir = database.startsWith("file://") ? fileURLToPath(database) : resolve(database);
  await prepareDataDirectory(dir);
  return createPGliteDriver({ dataDir: dir });
}

/** Why a PGlite data directory cannot be used, as `DataDirectoryError.reason`. */
export type DataDirectoryProblem = "not_a_directory" | "not_writable";

/** A PGlite data directory that cannot be created or written (a `ConfigError`: fix the path or permissions). */
export class DataDirectoryError extends ConfigError {
  constructor(
    readonly path: string,
    readonly reason: DataDirectoryProblem,
    cause: unknown,
  ) {
    const why =
      reason === "not_a_directory"
        ? "a part of the path is a file, not a directory"
        : "this process may not create or write it";
    super(`Cannot use "${path}" as the database directory: ${why}.`, {
      cause,
      details: [{ path: "database", message: why }],
    });
    this.name = "DataDirectoryError";
  }
}

/**
 * Creates the directory and any missing parents (PGlite itself only creates the last level and fails with a
 * bare ENOENT on a fresh checkout), then checks that it is a writable directory.
 */
export async function prepareDataDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    if (!(await stat(dir)).isDirectory())
      throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR" || code === "EEXIST") throw new DataDirectoryError(dir, "not_a_directory", error);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      throw new DataDirectoryError(dir, "not_writable", error);
    }
    throw error;
  }
}

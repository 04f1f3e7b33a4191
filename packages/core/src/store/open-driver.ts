import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlDriver } from "../db/driver.js";
import { createPgDriver } from "../db/pg.js";
import { createPGliteDriver } from "../db/pglite.js";

/**
 * Picks the driver from a connection string: nothing or "memory://" → in-memory PGlite; "postgres://" or
 * "postgresql://" → `pg`; "file://…" or any other string → PGlite persisted in that directory.
 */
export async function openDriver(database: string | undefined): Promise<SqlDriver> {
  if (!database || database === "memory://") return createPGliteDriver();
  if (/^postgres(ql)?:\/\//i.test(database)) return createPgDriver({ connectionString: database });
  const dir = database.startsWith("file://") ? fileURLToPath(database) : resolve(database);
  return createPGliteDriver({ dataDir: dir });
}

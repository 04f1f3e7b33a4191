// Shared by the benchmark scripts: the store a benchmark runs on (embedded PGlite, or a real Postgres with a
// pool through scripts/lib/postgres.mjs), percentiles, and the machine's load so figures carry their context.
import { cpus, loadavg } from "node:os";
import { createPGliteDriver, createPgDriver, KnowledgeStore } from "@ragkit/core";
import { createTestDatabase, setupTestPostgres } from "./postgres.mjs";

/** Nearest-rank percentile (NaN for no samples). */
export const pct = (xs, p) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** The 1-minute load average and core count: the machine is shared, so every figure is printed with it. */
export const loadContext = () => ({ load1: Number(loadavg()[0].toFixed(1)), cores: cpus().length });
export const describeLoad = (l) => `load average ${l.load1} on ${l.cores} cores`;

/** `--driver pglite,postgres` → the kinds to run, validated. */
export function parseDrivers(value) {
  const kinds = value.split(",").map((s) => s.trim());
  for (const k of kinds) {
    if (k !== "pglite" && k !== "postgres")
      throw new Error(`--driver: unknown kind "${k}" (pglite, postgres)`);
  }
  return kinds;
}

/**
 * Wraps a driver to count the statements it sends (BEGIN and COMMIT included): a load-independent measure of a
 * request's database work. `counter.statements` is the running total.
 */
export function countingDriver(driver, counter) {
  const count = (q) => ({
    query: (sql, params) => {
      counter.statements++;
      return q.query(sql, params);
    },
    exec: (sql) => {
      counter.statements++;
      return q.exec(sql);
    },
  });
  return {
    ...count(driver),
    kind: driver.kind,
    close: () => driver.close(),
    transaction: (fn) => {
      counter.statements += 2;
      return driver.transaction((tx) => fn(count(tx)));
    },
  };
}

let server = null;

/** One Postgres server per benchmark process (started on first use): see `stopBenchPostgres`. */
async function benchPostgres() {
  server ??= setupTestPostgres("bench").then((postgres) => {
    if (!postgres.info) throw new Error(`--driver postgres needs real Postgres: ${postgres.reason}`);
    return postgres;
  });
  return server;
}

/** Drops the benchmark's template database and stops a server this process started. */
export async function stopBenchPostgres() {
  if (!server) return;
  const postgres = await server;
  server = null;
  await postgres.teardown();
}

/** A fresh empty database (with `vector`) on the benchmark server: owner, runtime and admin URLs, `drop()`. */
export async function benchDatabase() {
  const postgres = await benchPostgres();
  const db = await createTestDatabase(postgres.info);
  return { ...db, admin: postgres.info.adminUrl, runtimeRole: postgres.info.runtimeRole };
}

/**
 * Opens a fresh store of `kind`. "pglite": in-memory PGlite (one session). "postgres": a new database on the
 * server of RAGKIT_TEST_POSTGRES, or on a throwaway Debian PostgreSQL 15 + pgvector started for this process;
 * migrated as the owner, used through the LOGIN NOSUPERUSER NOBYPASSRLS runtime role with a pool of `pool`.
 * Returns the store, the owner driver (bare SQL for baselines and checks; on PGlite the store's own session),
 * connection strings, and `close()`, which drops the database (the server stays up for the next store).
 * With `counter`, the store's runtime statements are counted into `counter.statements`.
 */
export async function openBenchStore(kind, { pool = 20, storeOptions = {}, counter } = {}) {
  const counted = (driver) => (counter ? countingDriver(driver, counter) : driver);
  if (kind === "pglite") {
    const session = await createPGliteDriver();
    const store = await KnowledgeStore.open({ ...storeOptions, driver: counted(session) });
    return {
      kind,
      store,
      owner: session,
      urls: null,
      close: async () => {
        await store.close();
        await session.close();
      },
    };
  }
  const db = await benchDatabase();
  const driver = await createPgDriver({ connectionString: db.runtimeUrl, poolConfig: { max: pool } });
  const owner = await createPgDriver({ connectionString: db.ownerUrl, poolConfig: { max: 4 } });
  const store = await KnowledgeStore.open({
    ...storeOptions,
    driver: counted(driver),
    migrationDriver: owner,
    runtimeRole: db.runtimeRole,
  });
  return {
    kind,
    store,
    owner,
    urls: { owner: db.ownerUrl, runtime: db.runtimeUrl, admin: db.admin },
    close: async () => {
      await store.close();
      await driver.close();
      await owner.close();
      await db.drop();
    },
  };
}

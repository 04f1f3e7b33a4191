import { readFileSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";
import { createTestDatabase, type TestPostgres } from "../../../../scripts/lib/postgres.mjs";
import type { SqlDriver } from "../../src/db/driver.js";
import { createPgDriver } from "../../src/db/pg.js";
import { createPGliteDriver } from "../../src/db/pglite.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import type { StoreOptionsInput } from "../../src/store/options.js";

/**
 * (a) `pglite`: PGlite in-process; (b) `pg-socket`: the `pg` driver over the wire protocol to PGlite served by
 * @electric-sql/pglite-socket; (c) `postgres`: a real PostgreSQL 15 + pgvector server (see global-setup.ts),
 * one database per test file, where the store logs in as a LOGIN NOSUPERUSER NOBYPASSRLS role and migrates
 * through the superuser — the hardened production deployment. `postgres` is present whenever the server could
 * be started (always in CI, where RAGKIT_REQUIRE_POSTGRES=1 makes its absence a failure).
 */
export type DriverKind = "pglite" | "pg-socket" | "postgres";

const postgres: TestPostgres | null = inject("postgres");
export const driverKinds: DriverKind[] = postgres
  ? ["pglite", "pg-socket", "postgres"]
  : ["pglite", "pg-socket"];
/**
 * Whether the real server is part of this run. Suites that need real concurrent sessions, MVCC or logins use
 * `describe.skipIf(!realPostgres)`: shown as skipped where it is absent (never in CI, which requires it).
 */
export const realPostgres = postgres !== null;

export interface PostgresUrls {
  /** Superuser connection to this test's database. */
  owner: string;
  /** The runtime login (NOSUPERUSER NOBYPASSRLS, member of the app roles once migrated) to this database. */
  runtime: string;
  runtimeRole: string;
  database: string;
  admin: string;
}

export interface TestDatabase {
  kind: DriverKind;
  /** The connection a store uses at run time (on `postgres`: the runtime login, subject to RLS). */
  driver: SqlDriver;
  /** The owner's connection, which bypasses row-level security (superuser). On PGlite the same as `driver`. */
  owner: SqlDriver;
  /** The login of `driver`. */
  sessionUser: string;
  /** Opens a KnowledgeStore as this kind is deployed: `{ driver }`, or the runtime/owner pair with the role. */
  storeOptions: Pick<StoreOptionsInput, "driver" | "migrationDriver" | "runtimeRole">;
  /** Connection strings for more pools or child processes (`postgres` only). */
  urls: PostgresUrls | null;
  /**
   * The runtime connection of another replica: a new pool on `postgres` (closed by `stop()`); on PGlite, which
   * is one session, the same driver.
   */
  replica(pool?: { max?: number }): Promise<SqlDriver>;
  stop(): Promise<void>;
}

export interface PGliteTestDatabase extends TestDatabase {
  /** The PGlite behind either driver. */
  pglite: PGlite;
}

export async function newPGlite(): Promise<PGlite> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const template = inject("pgliteTemplate");
  return PGlite.create({
    extensions: { vector },
    ...(template ? { loadDataDir: new Blob([readFileSync(template)]) } : {}),
  });
}

/** The real server's details; throws when it is not part of this run (guard with `realPostgres`). */
export function testPostgres(): TestPostgres {
  if (!postgres) throw new Error("real Postgres is not available in this run");
  return postgres;
}

/** A fresh database on the real server with its owner/runtime connection strings (dropped by `drop()`). */
export async function newPostgresDatabase(): Promise<PostgresUrls & { drop(): Promise<void> }> {
  const info = testPostgres();
  const db = await createTestDatabase(info);
  return {
    owner: db.ownerUrl,
    runtime: db.runtimeUrl,
    runtimeRole: info.runtimeRole,
    database: db.name,
    admin: info.adminUrl,
    drop: db.drop,
  };
}

/** `url` with another login (user and password). */
export function loginUrl(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

export function startDatabase(kind: "pglite" | "pg-socket"): Promise<PGliteTestDatabase>;
export function startDatabase(kind: DriverKind): Promise<TestDatabase>;
export async function startDatabase(kind: DriverKind): Promise<TestDatabase> {
  if (kind === "postgres") return startPostgres();
  const pglite = await newPGlite();
  const pgliteDatabase = (driver: SqlDriver, stop: () => Promise<void>): PGliteTestDatabase => ({
    kind,
    driver,
    owner: driver,
    sessionUser: "postgres",
    storeOptions: { driver },
    urls: null,
    replica: async () => driver,
    pglite,
    stop,
  });
  if (kind === "pglite") {
    const driver = await createPGliteDriver({ instance: pglite });
    return pgliteDatabase(driver, () => pglite.close());
  }
  // PGlite is one session, so the socket server takes one connection and the pool has max 1.
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0, maxConnections: 1 });
  await server.start();
  const port = Number(server.getServerConn().split(":").at(-1));
  const driver = await createPgDriver({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    poolConfig: { max: 1, idleTimeoutMillis: 0 },
  });
  return pgliteDatabase(driver, async () => {
    await driver.close();
    await server.stop();
    await pglite.close();
  });
}

async function startPostgres(): Promise<TestDatabase> {
  const urls = await newPostgresDatabase();
  const driver = await createPgDriver({ connectionString: urls.runtime, poolConfig: { max: 8 } });
  const owner = await createPgDriver({ connectionString: urls.owner, poolConfig: { max: 4 } });
  const replicas: SqlDriver[] = [];
  return {
    kind: "postgres",
    driver,
    owner,
    sessionUser: urls.runtimeRole,
    storeOptions: { driver, migrationDriver: owner, runtimeRole: urls.runtimeRole },
    urls,
    replica: async (options = {}) => {
      const pool = await createPgDriver({
        connectionString: urls.runtime,
        poolConfig: { max: options.max ?? 8 },
      });
      replicas.push(pool);
      return pool;
    },
    stop: async () => {
      await Promise.allSettled([driver, owner, ...replicas].map((d) => d.close()));
      await urls.drop();
    },
  };
}

/** Opens a store on the test database the way its kind is deployed (see `storeOptions`). */
export function openStore(
  db: TestDatabase,
  options: Omit<StoreOptionsInput, "driver" | "migrationDriver" | "runtimeRole"> = {},
): Promise<KnowledgeStore> {
  return KnowledgeStore.open({ ...options, ...db.storeOptions });
}

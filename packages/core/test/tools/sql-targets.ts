import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { SqlDriver } from "../../src/db/driver.js";
import { createPgDriver } from "../../src/db/pg.js";
import { RagKitError } from "../../src/errors/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { type DriverKind, driverKinds, startDatabase } from "../support/databases.js";

/**
 * Where the SQL-tool tests run: PGlite in-process, `pg` over pglite-socket, and — when RAGKIT_TEST_POSTGRES
 * points at a real server — real Postgres in its hardened shape: migrations as the superuser, queries as a
 * non-superuser LOGIN role that is only a member of the app roles (so every privilege check is the server's).
 */
export type SqlTargetName = DriverKind | "postgres";

const POSTGRES_URL = process.env.RAGKIT_TEST_POSTGRES;
export const sqlTargets: SqlTargetName[] = [...driverKinds, ...(POSTGRES_URL ? (["postgres"] as const) : [])];

export interface SqlTarget {
  name: SqlTargetName;
  store: KnowledgeStore;
  /** A superuser connection, for the owner's view in assertions. */
  admin: SqlDriver;
  schema: string;
  close(): Promise<void>;
}

export async function openSqlTarget(name: SqlTargetName): Promise<SqlTarget> {
  if (name !== "postgres") {
    const db = await startDatabase(name);
    const store = await KnowledgeStore.open({ driver: db.driver });
    return { name, store, admin: db.driver, schema: store.schema, close: () => db.stop() };
  }
  const schema = `sqlt_${randomBytes(4).toString("hex")}`;
  const runtime = `${schema}_runtime`;
  const admin = await createPgDriver({ connectionString: POSTGRES_URL });
  await admin.exec(`CREATE ROLE ${runtime} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`);
  const url = new URL(POSTGRES_URL!);
  url.username = runtime;
  url.password = "";
  const store = await KnowledgeStore.open({
    database: url.toString(),
    migrationDatabase: POSTGRES_URL,
    runtimeRole: runtime,
    schema,
  });
  return {
    name,
    store,
    admin,
    schema,
    async close() {
      await store.close();
      await admin.exec(
        `DROP SCHEMA IF EXISTS ${schema}_data CASCADE; DROP SCHEMA IF EXISTS ${schema} CASCADE`,
      );
      for (const role of [runtime, `${schema}_app_readonly`, `${schema}_app_worker`, `${schema}_app`]) {
        await admin.exec(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`);
      }
      await admin.close();
    },
  };
}

/** Awaits a promise that must reject with a RagKitError, and returns it. */
export async function rejectionOf(promise: Promise<unknown>): Promise<RagKitError> {
  const error = await promise.then(
    () => new Error("expected the query to fail, but it succeeded"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RagKitError);
  return error as RagKitError;
}

import { expect } from "vitest";
import type { SqlDriver } from "../../src/db/driver.js";
import { RagKitError } from "../../src/errors/index.js";
import type { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { type DriverKind, driverKinds, openStore, startDatabase } from "../support/databases.js";

/**
 * Where the SQL-tool tests run: every driver kind — PGlite in-process, `pg` over pglite-socket and, when the
 * real server is part of the run, real Postgres in its hardened shape (migrations as the superuser, queries as
 * a non-superuser LOGIN role, so every privilege check is the server's; see test/support/databases.ts).
 */
export type SqlTargetName = DriverKind;

export const sqlTargets: SqlTargetName[] = driverKinds;

export interface SqlTarget {
  name: SqlTargetName;
  store: KnowledgeStore;
  /** A superuser connection, for the owner's view in assertions. */
  admin: SqlDriver;
  schema: string;
  close(): Promise<void>;
}

export async function openSqlTarget(name: SqlTargetName): Promise<SqlTarget> {
  const db = await startDatabase(name);
  const store = await openStore(db);
  return {
    name,
    store,
    admin: db.owner,
    schema: store.schema,
    async close() {
      await store.close();
      await db.stop();
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

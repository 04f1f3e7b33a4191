import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KnowledgeStore } from "@ragkit/core";
import { inject } from "vitest";
import { createTestDatabase, type TestPostgres } from "../../../scripts/lib/postgres.mjs";

type StoreOptions = Omit<
  NonNullable<Parameters<typeof KnowledgeStore.open>[0]>,
  "database" | "migrationDatabase"
>;

/**
 * The database kind this vitest project runs the suite on (vitest.config.ts): `pglite` (in-memory, the
 * zero-config default) or `postgres` (a real PostgreSQL 15 + pgvector server started by the global setup).
 */
export const storeKind = inject("storeKind");

/**
 * A database that can be opened more than once (a handler restart): a PGlite data directory, or a database of
 * its own on the real server where the store migrates as the owner and then logs in as a LOGIN NOSUPERUSER
 * NOBYPASSRLS role, as in production. `dispose()` removes it (the global teardown drops leftovers too).
 */
export async function testDatabase(options: { persistent?: boolean } = {}): Promise<{
  open(options?: StoreOptions): Promise<KnowledgeStore>;
  dispose(): Promise<void>;
}> {
  if (storeKind === "postgres") {
    const info = inject("postgres");
    if (!info) throw new Error("the postgres project needs the real server (see test/global-setup.ts)");
    const db = await createTestDatabase(info);
    return {
      open: (o = {}) =>
        KnowledgeStore.open({
          ...o,
          database: db.runtimeUrl,
          migrationDatabase: db.ownerUrl,
          runtimeRole: info.runtimeRole,
        }),
      dispose: db.drop,
    };
  }
  if (!options.persistent) return { open: (o = {}) => KnowledgeStore.open(o), dispose: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), "ragkit-server-test-"));
  return {
    open: (o = {}) => KnowledgeStore.open({ ...o, database: dir }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A store on the kind under test, for one test file. */
export async function openTestStore(options: StoreOptions = {}): Promise<KnowledgeStore> {
  return (await testDatabase()).open(options);
}

declare module "vitest" {
  export interface ProvidedContext {
    storeKind: "pglite" | "postgres";
    postgres: TestPostgres | null;
  }
}

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createPgDriver } from "../../src/db/pg.js";
import { migrations } from "../../src/migrations/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { newPostgresDatabase, realPostgres } from "../support/databases.js";

const REPLICAS = 6;

/**
 * Deploys where several replicas start at once against a fresh database, and clusters where several databases
 * are migrated at the same time. Roles are cluster-wide, so the second case races on CREATE ROLE / GRANT across
 * databases (advisory locks are per database).
 */
describe.skipIf(!realPostgres)("concurrent first migrations (postgres)", () => {
  const schema = `race_${randomBytes(3).toString("hex")}`;
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  const openAll = (urls: Array<{ owner: string; runtime: string; runtimeRole: string }>, options = {}) =>
    Promise.allSettled(
      urls.map((u) =>
        KnowledgeStore.open({
          database: u.runtime,
          migrationDatabase: u.owner,
          runtimeRole: u.runtimeRole,
          ...options,
        }),
      ),
    );

  it("replicas starting together on one fresh database apply each migration exactly once", async () => {
    const db = await newPostgresDatabase();
    cleanups.push(db.drop);
    const opened = await openAll(Array.from({ length: REPLICAS }, () => db));
    const stores = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    cleanups.push(async () => {
      for (const s of stores) await s.close();
    });
    expect(opened.filter((o) => o.status === "rejected")).toEqual([]);
    const owner = await createPgDriver({ connectionString: db.owner, poolConfig: { max: 1 } });
    cleanups.push(() => owner.close());
    const rows = await owner.query<{ version: number }>("SELECT version FROM ragkit.migrations ORDER BY 1");
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    const meta = await owner.query("SELECT key FROM ragkit.store_meta");
    expect(meta).toEqual([{ key: "index" }]);
  });

  it("several databases of one cluster migrating at once all succeed (cluster-wide roles)", async () => {
    const dbs = await Promise.all(Array.from({ length: REPLICAS }, () => newPostgresDatabase()));
    // Cleanups run last-first: stores, then databases, then the roles their objects depended on.
    cleanups.push(async () => {
      const admin = await createPgDriver({ connectionString: dbs[0]!.admin, poolConfig: { max: 1 } });
      await admin.exec(
        `DROP ROLE IF EXISTS ${schema}_app_readonly; DROP ROLE IF EXISTS ${schema}_app_worker; DROP ROLE IF EXISTS ${schema}_app;`,
      );
      await admin.close();
    });
    for (const db of dbs) cleanups.push(db.drop);
    // A schema no other test uses: its roles do not exist yet, so every database tries to create them.
    const opened = await openAll(dbs, { schema });
    const stores = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    cleanups.push(async () => {
      for (const s of stores) await s.close();
    });
    expect(opened.map((o) => (o.status === "rejected" ? String(o.reason) : "ok"))).toEqual(
      dbs.map(() => "ok"),
    );
    const [roles] = await stores[0]!.driver.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE $1",
      [`${schema}_app%`],
    );
    expect(roles!.n).toBe(3);
  });
});

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../src/db/driver.js";
import { createPgDriver } from "../../src/db/pg.js";
import { migrations, runMigrations } from "../../src/migrations/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import {
  type DriverKind,
  driverKinds,
  loginUrl,
  newPostgresDatabase,
  realPostgres,
  startDatabase,
  type TestDatabase,
} from "../support/databases.js";

const before10 = migrations.filter((m) => m.version < 10);

/** Two running runs on one thread (what the race left behind before migration 10), written by the owner. */
async function seedDoubledThread(owner: SqlDriver, schema: string) {
  await owner.exec(`
    INSERT INTO ${schema}.tenants (id) VALUES ('dup');
    INSERT INTO ${schema}.agent_runs (tenant_id, id, thread_id, created_at)
      VALUES ('dup', 'older', 'thread', now() - interval '1 minute'), ('dup', 'newer', 'thread', now()),
             ('dup', 'alone', 'other-thread', now());`);
}

async function statuses(owner: SqlDriver, schema: string) {
  return owner.query<{ id: string; status: string; error_code: string | null }>(
    `SELECT id, status, error_code FROM ${schema}.agent_runs ORDER BY id`,
  );
}

const expected = [
  { id: "alone", status: "running", error_code: null },
  { id: "newer", status: "running", error_code: null },
  { id: "older", status: "failed", error_code: "superseded" },
];

describe.each(driverKinds)("migration 10: one running run per thread (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startDatabase(kind);
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("ends the older of two running runs on a thread and then enforces one", async () => {
    await runMigrations(db.owner, before10, { schema: "ragkit", appRole: "ragkit_app" });
    await seedDoubledThread(db.owner, "ragkit");
    const store = await KnowledgeStore.open({ ...db.storeOptions });
    expect(await statuses(db.owner, "ragkit")).toEqual(expected);
    const [index] = await db.owner.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE schemaname = 'ragkit' AND indexname = 'agent_runs_one_running'",
    );
    expect(index!.indexdef).toMatch(
      /UNIQUE INDEX .* \(tenant_id, thread_id\) WHERE \(status = 'running'::text\)/,
    );
    const [rls] = await db.owner.query<{ forced: boolean }>(
      "SELECT relforcerowsecurity AS forced FROM pg_class WHERE oid = 'ragkit.agent_runs'::regclass",
    );
    expect(rls!.forced).toBe(true);
    const ctx = createTenantContext({ tenantId: "dup" });
    await expect(
      store.withTenant(ctx, (tx) =>
        tx.query(
          "INSERT INTO ragkit.agent_runs (tenant_id, id, thread_id) VALUES ('dup', 'third', 'thread')",
        ),
      ),
    ).rejects.toMatchObject({ sqlState: "23505" });
  });
});

/**
 * Managed Postgres (RDS, Cloud SQL, Azure) has no superuser: the owner is an ordinary role with CREATEROLE that
 * owns the database. FORCE row-level security applies to it, so the data fix in migration 10 must lift FORCE
 * for its statement; this proves the whole migration chain and that fix as such an owner.
 */
describe.skipIf(!realPostgres)("migrations as a non-superuser owner (postgres)", () => {
  const owner = `ragkit_owner_${randomBytes(4).toString("hex")}`;
  const schema = `mig_${randomBytes(3).toString("hex")}`;
  let urls: Awaited<ReturnType<typeof newPostgresDatabase>>;
  let admin: SqlDriver;
  let asOwner: SqlDriver;

  beforeAll(async () => {
    urls = await newPostgresDatabase();
    admin = await createPgDriver({ connectionString: urls.owner, poolConfig: { max: 1 } });
    await admin.exec(`CREATE ROLE ${owner} LOGIN PASSWORD 'owner' NOSUPERUSER NOBYPASSRLS CREATEROLE;
      ALTER DATABASE ${urls.database} OWNER TO ${owner};`);
    asOwner = await createPgDriver({
      connectionString: loginUrl(urls.owner, owner, "owner"),
      poolConfig: { max: 2 },
    });
  });
  afterAll(async () => {
    await asOwner?.close();
    await admin?.close();
    await urls?.drop();
    const cleanup = await createPgDriver({ connectionString: urls.admin, poolConfig: { max: 1 } });
    await cleanup.exec(
      `DROP ROLE IF EXISTS ${owner}; DROP ROLE IF EXISTS ${schema}_app_readonly;
       DROP ROLE IF EXISTS ${schema}_app_worker; DROP ROLE IF EXISTS ${schema}_app;`,
    );
    await cleanup.close();
  });

  it("migrates, upgrades a doubled thread through migration 10 and serves the runtime login", async () => {
    const [who] = await asOwner.query<{ rolsuper: boolean }>(
      "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
    );
    expect(who!.rolsuper).toBe(false);
    await runMigrations(asOwner, before10, { schema, appRole: `${schema}_app` });
    // As this owner the rows would be invisible (FORCE RLS, no tenant set): seed them as the admin.
    await seedDoubledThread(admin, schema);
    expect(await statuses(asOwner, schema)).toEqual([]);
    const store = await KnowledgeStore.open({
      driver: await createPgDriver({ connectionString: urls.runtime, poolConfig: { max: 2 } }),
      migrationDriver: asOwner,
      runtimeRole: urls.runtimeRole,
      schema,
    });
    try {
      expect(await statuses(admin, schema)).toEqual(expected);
      const ctx = createTenantContext({ tenantId: "dup" });
      const runs = await store.withTenant(ctx, (tx) =>
        tx.query<{ id: string }>(`SELECT id FROM ${schema}.agent_runs WHERE status = 'running' ORDER BY id`),
      );
      expect(runs.map((r) => r.id)).toEqual(["alone", "newer"]);
    } finally {
      await store.close();
      await store.driver.close();
    }
  });
});

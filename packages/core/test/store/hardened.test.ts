import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDriver } from "../../src/db/pg.js";
import { createPGliteDriver, sqlStateOf } from "../../src/db/pglite.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import { loginUrl, newPostgresDatabase, type PostgresUrls, realPostgres } from "../support/databases.js";
import { paragraphsDoc } from "../support/fixtures.js";

/** Each tenant gets one document that names it, so a leak shows in any search. */
async function seedSecrets(store: KnowledgeStore, tenants: readonly TenantContext[]) {
  for (const ctx of tenants) {
    await store.ensureTenant(ctx);
    await store.putDocument(
      ctx,
      paragraphsDoc(`Secret plans of ${ctx.tenantId}.\n\nMore about ${ctx.tenantId}.`),
    );
  }
}

/**
 * The hardened deployment: migrations run on an owner connection; the runtime connection logs in as a
 * non-superuser role that is only a member of the app (and worker) roles. Then even raw SQL inside
 * withTenant cannot switch to a role that bypasses row-level security.
 */
describe("hardened runtime role (PGlite, login emulated with SET SESSION AUTHORIZATION)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ragkit-hardened-"));
  const a = createTenantContext({ tenantId: "hard-a" });
  const b = createTenantContext({ tenantId: "hard-b" });
  let runtime: import("@electric-sql/pglite").PGlite;
  let store: KnowledgeStore;

  beforeAll(async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const { vector } = await import("@electric-sql/pglite-pgvector");
    const owner = await PGlite.create({ dataDir, extensions: { vector } });
    await owner.exec("CREATE ROLE ragkit_runtime LOGIN NOSUPERUSER NOBYPASSRLS");
    const setup = await KnowledgeStore.open({
      driver: await createPGliteDriver({ instance: owner }),
      runtimeRole: "ragkit_runtime",
    });
    await seedSecrets(setup, [a, b]);
    await owner.close();
    // PGlite always authenticates as its superuser; SET SESSION AUTHORIZATION makes the runtime role the session
    // user, which is what a real Postgres login as ragkit_runtime gives (there, unlike here, it cannot be undone).
    runtime = await PGlite.create({ dataDir, extensions: { vector } });
    await runtime.exec("SET SESSION AUTHORIZATION ragkit_runtime");
    store = await KnowledgeStore.open({
      driver: await createPGliteDriver({ instance: runtime }),
      migrate: false,
    });
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("logs in as a non-superuser and verifies the schema without migrating", async () => {
    const [who] = await store.driver.query<{ session_user: string; rolsuper: boolean }>(
      "SELECT session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS rolsuper",
    );
    expect(who).toEqual({ session_user: "ragkit_runtime", rolsuper: false });
    const hits = await store.search(a, { query: "secret plans" });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.text.includes("hard-a"))).toBe(true);
  });

  it.each([
    ["SET ROLE postgres", "SET ROLE postgres"],
    ["set_config('role', 'postgres', true)", "SELECT set_config('role', 'postgres', true)"],
  ])("refuses to leave the app role from inside withTenant: %s", async (_label, statement) => {
    const error = await store.withTenant(a, (tx) => tx.query(statement)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "database_error", sqlState: "42501" });
    expect((error as Error).message).toMatch(/permission denied to set role/);
  });

  it("RESET ROLE falls back to the runtime role, which row-level security still confines", async () => {
    const tenants = await store.withTenant(a, async (tx) => {
      await tx.query("RESET ROLE");
      return tx.query<{ tenant_id: string }>("SELECT DISTINCT tenant_id FROM ragkit.documents");
    });
    expect(tenants).toEqual([{ tenant_id: "hard-a" }]);
  });

  it("operator actions need the owner connection", async () => {
    await expect(store.withDeferredVectorIndex(async () => {})).rejects.toMatchObject({
      code: "config_error",
    });
  });

  it("a runtime-only store refuses a schema that is not migrated", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const { vector } = await import("@electric-sql/pglite-pgvector");
    const empty = await PGlite.create({ extensions: { vector } });
    await empty.exec("CREATE EXTENSION IF NOT EXISTS vector");
    await expect(
      KnowledgeStore.open({ driver: await createPGliteDriver({ instance: empty }), migrate: false }),
    ).rejects.toBeDefined();
    await empty.close();
  });
});

/**
 * The same deployment on a real server, set up exactly as docs/security.md says: an admin creates a LOGIN
 * NOSUPERUSER NOBYPASSRLS role; the deploy step migrates through the owner URL and grants the app roles to it;
 * replicas connect with the runtime URL. Here the login is real, so what PGlite can only emulate holds: the
 * session user cannot be changed back, and no role switch leaves row-level security.
 */
describe.skipIf(!realPostgres)("hardened runtime role on a real login (postgres)", () => {
  const role = `ragkit_login_${randomBytes(4).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const a = createTenantContext({ tenantId: "hard-a" });
  const b = createTenantContext({ tenantId: "hard-b" });
  let urls: PostgresUrls & { drop(): Promise<void> };
  let runtimeUrl: string;
  let store: KnowledgeStore;

  const asAdmin = async (sql: string) => {
    const admin = await createPgDriver({ connectionString: urls.admin, poolConfig: { max: 1 } });
    try {
      await admin.exec(sql);
    } finally {
      await admin.close();
    }
  };

  beforeAll(async () => {
    urls = await newPostgresDatabase();
    await asAdmin(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS`);
    runtimeUrl = loginUrl(urls.owner, role, password);
    // Deploy step: migrate with the owner, grant the app roles to the login.
    const setup = await KnowledgeStore.open({ database: urls.owner, runtimeRole: role });
    await seedSecrets(setup, [a, b]);
    await setup.close();
    // A replica: the runtime login only; the store verifies the schema instead of migrating.
    store = await KnowledgeStore.open({ database: runtimeUrl, migrate: false });
  });
  afterAll(async () => {
    await store?.close();
    await urls?.drop();
    await asAdmin(`DROP ROLE IF EXISTS ${role}`);
  });

  it("logs in as the non-superuser role, which owns nothing, and serves its tenant", async () => {
    const [who] = await store.driver.query<{
      session_user: string;
      rolsuper: boolean;
      rolbypassrls: boolean;
    }>(`SELECT session_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = session_user`);
    expect(who).toEqual({ session_user: role, rolsuper: false, rolbypassrls: false });
    const [owned] = await store.driver.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)",
      [role],
    );
    expect(owned!.n).toBe(0);
    const hits = await store.search(a, { query: "secret plans" });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.text.includes("hard-a"))).toBe(true);
  });

  it.each([
    ["SET ROLE postgres", "SET ROLE postgres", /permission denied to set role/],
    [
      "set_config('role', 'postgres', true)",
      "SELECT set_config('role', 'postgres', true)",
      /permission denied to set role/,
    ],
    [
      "SET SESSION AUTHORIZATION postgres",
      "SET SESSION AUTHORIZATION postgres",
      /permission denied to set session authorization/,
    ],
    [
      "SET ROLE pg_read_all_data (a predefined role)",
      "SET ROLE pg_read_all_data",
      /permission denied to set role/,
    ],
  ])("refuses to leave the app role from inside withTenant: %s", async (_label, statement, message) => {
    const error = await store.withTenant(a, (tx) => tx.query(statement)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "database_error" });
    expect(sqlStateOf(error)).toBe("42501");
    expect((error as Error).message).toMatch(message);
  });

  it("RESET ROLE falls back to the login, which row-level security still confines", async () => {
    const seen = await store.withTenant(a, async (tx) => {
      await tx.query("RESET ROLE");
      const [who] = await tx.query<{ current_user: string }>("SELECT current_user");
      const tenants = await tx.query<{ tenant_id: string }>(
        "SELECT DISTINCT tenant_id FROM ragkit.documents",
      );
      return { user: who!.current_user, tenants: tenants.map((t) => t.tenant_id) };
    });
    expect(seen).toEqual({ user: role, tenants: ["hard-a"] });
  });

  it("outside any tenant transaction the login sees no tenant rows and cannot change the schema", async () => {
    expect(await store.driver.query("SELECT tenant_id FROM ragkit.documents")).toEqual([]);
    for (const ddl of [
      "CREATE TABLE ragkit.smuggled (x int)",
      "ALTER TABLE ragkit.documents DISABLE ROW LEVEL SECURITY",
      "DROP POLICY tenant_isolation ON ragkit.documents",
      "CREATE SCHEMA smuggled",
    ]) {
      const error = await store.driver.query(ddl).catch((e: unknown) => e);
      expect(sqlStateOf(error), ddl).toBe("42501");
    }
  });

  it("operator actions need the owner connection; with it (migrationDatabase) they work", async () => {
    await expect(store.withDeferredVectorIndex(async () => {})).rejects.toMatchObject({
      code: "config_error",
    });
    const both = await KnowledgeStore.open({
      database: runtimeUrl,
      migrationDatabase: urls.owner,
      runtimeRole: role,
    });
    try {
      expect(await both.withDeferredVectorIndex(async () => "rebuilt")).toBe("rebuilt");
      const [who] = await both.driver.query<{ session_user: string }>("SELECT session_user");
      expect(who!.session_user).toBe(role);
    } finally {
      await both.close();
    }
  });

  it("a runtime-only store refuses a database that is not migrated", async () => {
    const empty = await newPostgresDatabase();
    try {
      const u = new URL(empty.owner);
      u.username = role;
      u.password = password;
      await expect(KnowledgeStore.open({ database: u.toString(), migrate: false })).rejects.toBeDefined();
      // And it cannot migrate it either: the login may not create schemas.
      await expect(KnowledgeStore.open({ database: u.toString() })).rejects.toMatchObject({
        sqlState: "42501",
      });
    } finally {
      await empty.drop();
    }
  });
});

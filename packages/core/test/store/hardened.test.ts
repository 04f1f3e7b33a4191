import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPGliteDriver } from "../../src/db/pglite.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { paragraphsDoc } from "../support/fixtures.js";

/**
 * The hardened deployment: migrations run on an owner connection; the runtime connection logs in as a
 * non-superuser role that is only a member of the app (and worker) roles. Then even raw SQL inside
 * withTenant cannot switch to a role that bypasses row-level security.
 */
describe("hardened runtime role", () => {
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
    for (const ctx of [a, b]) {
      await setup.ensureTenant(ctx);
      await setup.putDocument(
        ctx,
        paragraphsDoc(`Secret plans of ${ctx.tenantId}.\n\nMore about ${ctx.tenantId}.`),
      );
    }
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

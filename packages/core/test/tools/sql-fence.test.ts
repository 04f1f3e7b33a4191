import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlStateOf } from "../../src/db/pglite.js";
import type { RagKitError } from "../../src/errors/index.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { exampleSalesRows, seedExampleSales } from "../../src/tools/sql/example-data.js";
import { executeInReadOnlyScope, runReadOnlyQuery } from "../../src/tools/sql/execute.js";
import { openSqlTarget, rejectionOf, type SqlTarget, sqlTargets } from "./sql-targets.js";

const a = createTenantContext({ tenantId: "fence-a", userId: "alice", source: "test" });
const b = createTenantContext({ tenantId: "fence-b", userId: "bob", source: "test" });

/** Catalog and server-state reads, written as an attacker would, none of them through the parser. */
const catalogReads: Array<[string, string]> = [
  [
    "pg_roles behind a quoted CTE",
    'WITH "PG_ROLES" AS (SELECT 1 AS x) SELECT rolname, rolsuper FROM pg_roles',
  ],
  ["pg_roles, qualified", "SELECT rolname FROM pg_catalog.pg_roles"],
  ["pg_stat_user_tables (row counts)", "SELECT relname, n_live_tup FROM pg_stat_user_tables"],
  ["pg_stat_activity", "SELECT query FROM pg_stat_activity"],
  ["pg_settings", "SELECT name, setting FROM pg_settings"],
  ["pg_proc source", "SELECT prosrc FROM pg_proc WHERE proname = 'current_tenant'"],
  ["pg_class", "SELECT relname, reltuples FROM pg_class"],
  ["pg_policies", "SELECT * FROM pg_policies"],
  ["information_schema", "SELECT table_name FROM information_schema.tables"],
  ["another schema", "SELECT id FROM ragkit_probe.documents"],
  ["a stats function on a literal oid", "SELECT pg_stat_get_live_tuples(1259)"],
  ["current_setting", "SELECT current_setting('server_version')"],
  ["set_config (tenant switch)", "SELECT set_config('ragkit.tenant_id', 'fence-b', true)"],
  ["set_config (role switch)", "SELECT set_config('role', current_user, true)"],
  ["SQL in a string", "SELECT query_to_xml('SELECT 1', true, true, '')"],
  ["regclass cast", "SELECT 'pg_authid'::regclass::oid"],
  ["session keyword", "SELECT current_user"],
  ["version()", "SELECT version()"],
  ["a set-returning function", "SELECT * FROM generate_series(1, 3)"],
  ["row locks", "SELECT units FROM ragkit_data.sales_view FOR SHARE"],
];

describe.each(sqlTargets)("SQL tool on %s: defences that do not depend on the parser", (kind) => {
  let t: SqlTarget;
  let data: string;
  beforeAll(async () => {
    t = await openSqlTarget(kind);
    data = `${t.schema}_data`;
    for (const ctx of [a, b]) await t.store.ensureTenant(ctx);
    await seedExampleSales(t.store, a);
    await seedExampleSales(t.store, b, exampleSalesRows({ regions: ["East"], scale: 3 }));
  });
  afterAll(async () => {
    await t?.close();
  });
  const sql = (text: string) =>
    text.replaceAll("ragkit_data.", `${data}.`).replaceAll("ragkit_probe.", `${t.schema}.`);

  it.each(catalogReads)("the plan fence refuses %s", async (_label, text) => {
    const error = await rejectionOf(executeInReadOnlyScope(t.store, a, sql(text)));
    expect(error.code).toBe("invalid_input");
    // Refused from the plan, or by the database's own privileges before a plan exists.
    expect(
      error.details[0]?.message === "plan_not_allowed" || sqlStateOf(error.cause) === "42501",
      error.message,
    ).toBe(true);
  });

  it("allows what the views read, and reads only the caller's rows", async () => {
    const rows = await executeInReadOnlyScope(
      t.store,
      a,
      `SELECT count(*)::int AS n FROM ${data}.sales_view`,
    );
    expect(rows).toEqual([{ n: exampleSalesRows().length }]);
  });

  it("binds the tenant in the database: set_config mid-query cannot switch it (parser and fence off)", async () => {
    const rows = await executeInReadOnlyScope(
      t.store,
      a,
      `SELECT set_config('ragkit.tenant_id', 'fence-b', true) AS switched,
              (SELECT count(*)::int FROM ${data}.sales_view) AS n,
              (SELECT count(*)::int FROM ${data}.sales_view WHERE region = 'East') AS east`,
      [],
      { fence: false, limits: false },
    );
    expect(rows).toEqual([{ switched: "fence-b", n: exampleSalesRows().length, east: 0 }]);
    // Switching before the scan starts does not help either.
    const [late] = await executeInReadOnlyScope(
      t.store,
      a,
      `WITH s AS MATERIALIZED (SELECT set_config('ragkit.tenant_id', 'fence-b', true) AS v)
       SELECT (SELECT v FROM s) AS v, count(*)::int AS n FROM ${data}.sales_view WHERE region = 'East'`,
      [],
      { fence: false, limits: false },
    );
    expect(late).toEqual({ v: "fence-b", n: 0 });
  });

  it("the database refuses the read-only role superuser-only state (parser and fence off)", async () => {
    for (const text of [
      "SELECT rolpassword FROM pg_authid",
      "SELECT pg_read_file('/etc/passwd')",
      "SELECT pg_ls_dir('.')",
      "SELECT lo_import('/etc/passwd')",
      "SELECT setting FROM pg_settings WHERE name = 'data_directory' AND setting IS NULL",
    ]) {
      const result = await executeInReadOnlyScope(t.store, a, text, [], { fence: false, limits: false }).then(
        (rows) => ({ rows }),
        (error: unknown) => ({ error: error as RagKitError }),
      );
      if ("error" in result) {
        expect(["42501", "25006"], `${text}: ${result.error.message}`).toContain(
          sqlStateOf(result.error.cause),
        );
      } else {
        // data_directory is hidden from non-superusers: the filter finds no such row.
        expect(result.rows, text).toEqual([]);
      }
    }
  });

  it("no view name collides with a catalog relation (unqualified names resolve catalog-first)", async () => {
    const views = (await t.store.listRegisteredDatasets()).map((d) => d.name);
    expect(views).toContain("sales_view");
    for (const view of views) {
      const [row] = await t.admin.query<{ r: string | null }>("SELECT to_regclass($1)::text AS r", [
        `pg_catalog.${view}`,
      ]);
      expect(row!.r).toBeNull();
    }
  });

  it("the scope row never outlives the tool's transaction", async () => {
    await runReadOnlyQuery(t.store, a, "SELECT count(*) FROM sales_view");
    await rejectionOf(runReadOnlyQuery(t.store, a, "SELECT nosuchcolumn FROM sales_view"));
    const [row] = await t.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${t.schema}.sql_tool_scope`,
    );
    expect(row!.n).toBe(0);
  });

  it("a refused query explains itself for the approval card", async () => {
    const error = await rejectionOf(runReadOnlyQuery(t.store, a, "SELECT rolname FROM pg_roles"));
    expect(error.message).toMatch(/Relation pg_roles is not allowed\. System catalogs are not accessible/);
    const bypass = await rejectionOf(executeInReadOnlyScope(t.store, a, "SELECT rolname FROM pg_roles"));
    expect(bypass.message).toMatch(/outside the allowed views \(relation pg_catalog\.pg_authid\)/);
  });
});

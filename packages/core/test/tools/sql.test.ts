import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlStateOf } from "../../src/db/pglite.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { exampleSalesRows, type SalesRow, seedExampleSales } from "../../src/tools/sql/example-data.js";
import { executeInReadOnlyScope, runReadOnlyQuery } from "../../src/tools/sql/execute.js";
import { nlToSql } from "../../src/tools/sql/nl-to-sql.js";
import { validateSelect } from "../../src/tools/sql/validate.js";
import { startDatabase, type TestDatabase } from "../support/databases.js";
import { rejectionOf } from "./sql-targets.js";

const ROLE = "ragkit_app_readonly";

let db: TestDatabase;
let store: KnowledgeStore;
const a = createTenantContext({ tenantId: "sql-tenant-a", userId: "alice", source: "test" });
const b = createTenantContext({ tenantId: "sql-tenant-b", userId: "bob", source: "test" });
const empty = createTenantContext({ tenantId: "sql-tenant-empty", source: "test" });
let rowsA: SalesRow[] = [];
let rowsB: SalesRow[] = [];

beforeAll(async () => {
  db = await startDatabase("pglite");
  store = await KnowledgeStore.open({ driver: db.driver });
  for (const ctx of [a, b, empty]) await store.ensureTenant(ctx);
  // A: two years (so year filters matter); B: other regions/products and three times the volume.
  rowsA = await seedExampleSales(store, a, [
    ...exampleSalesRows({ year: 2024, scale: 0.6 }),
    ...exampleSalesRows({ year: 2025 }),
  ]);
  rowsB = await seedExampleSales(
    store,
    b,
    exampleSalesRows({
      regions: ["East", "North", "Central"],
      products: { Widget: 30, Gizmo: 55 },
      scale: 3,
    }),
  );
});
afterAll(async () => {
  await db?.stop();
});

const isoDate = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10);
const sumBy = (rows: readonly SalesRow[], key: (r: SalesRow) => string, value: (r: SalesRow) => number) => {
  const out = new Map<string, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + value(r));
  return out;
};

describe("runReadOnlyQuery", () => {
  it("exposes the view's columns only, never tenant_id", async () => {
    const result = await runReadOnlyQuery(store, a, "SELECT * FROM sales_view");
    expect(result.columns).toEqual(["month", "region", "product", "units", "revenue"]);
    expect(result).toMatchObject({ rowCount: rowsA.length, truncated: false });
  });

  it("confines every tenant to its own rows", async () => {
    const sql = "SELECT region, product, count(*) AS n, sum(units) AS units FROM sales_view GROUP BY 1, 2";
    for (const [ctx, rows] of [
      [a, rowsA],
      [b, rowsB],
    ] as const) {
      const result = await runReadOnlyQuery(store, ctx, sql);
      const expected = sumBy(
        rows,
        (r) => `${r.region}/${r.product}`,
        (r) => r.units,
      );
      const seen = new Map(result.rows.map((r) => [`${r.region}/${r.product}`, Number(r.units)]));
      expect(seen).toEqual(expected);
    }
    const fromA = await runReadOnlyQuery(
      store,
      a,
      "SELECT count(*) AS n FROM sales_view WHERE region = 'East' OR product = 'Gizmo'",
    );
    expect(Number(fromA.rows[0]!.n)).toBe(0);
    expect((await runReadOnlyQuery(store, empty, "SELECT * FROM sales_view")).rowCount).toBe(0);
  });

  it("caps the rows and reports truncation", async () => {
    const capped = await runReadOnlyQuery(store, a, "SELECT * FROM sales_view ORDER BY month", {
      maxRows: 10,
    });
    expect(capped).toMatchObject({ rowCount: 10, truncated: true });
    expect(capped.rows).toHaveLength(10);
    const exact = await runReadOnlyQuery(store, a, "SELECT * FROM sales_view", { maxRows: rowsA.length });
    expect(exact).toMatchObject({ rowCount: rowsA.length, truncated: false });
    const inner = await runReadOnlyQuery(store, a, "SELECT * FROM sales_view LIMIT 3", { maxRows: 3 });
    expect(inner).toMatchObject({ rowCount: 3, truncated: false });
  });

  it("refuses rejected SQL before it reaches the database, with the reason", async () => {
    const error = await rejectionOf(
      runReadOnlyQuery(store, a, "SELECT set_config('role', 'postgres', true)"),
    );
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(/set_config/);
    await expect(runReadOnlyQuery(store, a, "SELECT 1 FROM sales_view", { maxRows: 0 })).rejects.toThrow(
      /maxRows/,
    );
  });

  it("reports database errors as RagKitErrors", async () => {
    const error = await rejectionOf(runReadOnlyQuery(store, a, "SELECT nosuchcolumn FROM sales_view"));
    expect(error.code).toBe("database_error");
    expect(error.message).toMatch(/nosuchcolumn/);
  });
});

describe("database enforcement without the parser (executeInReadOnlyScope)", () => {
  it("runs as the read-only role in a READ ONLY transaction", async () => {
    // Catalog reads are what the plan fence refuses; without it, the database itself shows who runs the query.
    const [row] = await executeInReadOnlyScope(
      store,
      a,
      `SELECT current_user AS who, current_setting('transaction_read_only') AS ro, r.rolsuper, r.rolbypassrls
       FROM pg_roles r WHERE r.rolname = current_user`,
      [],
      { fence: false, limits: false },
    );
    expect(row).toEqual({ who: ROLE, ro: "on", rolsuper: false, rolbypassrls: false });
  });

  it("row-level security still applies to the view", async () => {
    const [row] = await executeInReadOnlyScope(
      store,
      a,
      "SELECT count(*)::int AS n FROM ragkit_data.sales_view",
    );
    expect(row!.n).toBe(rowsA.length);
  });

  it.each([
    ["base table (tenant_id)", "SELECT tenant_id FROM ragkit.sales"],
    ["other tenant tables", "SELECT * FROM ragkit.documents"],
    ["tenants", "SELECT id FROM ragkit.tenants"],
  ])("cannot read %s", async (_label, sql) => {
    const error = await rejectionOf(executeInReadOnlyScope(store, a, sql, [], { fence: false }));
    expect(sqlStateOf(error.cause)).toBe("42501");
  });

  it.each([
    ["CREATE TEMP TABLE", "CREATE TEMP TABLE scratch (a int)"],
    ["DELETE through the view", "DELETE FROM ragkit_data.sales_view"],
    ["UPDATE through the view", "UPDATE ragkit_data.sales_view SET units = 0"],
    [
      "INSERT into the base table",
      `INSERT INTO ragkit.sales (tenant_id, month, region, product, units, revenue)
       VALUES ('sql-tenant-b', '2025-01-01', 'X', 'Y', 1, 1)`,
    ],
    [
      "data-modifying CTE",
      "WITH d AS (DELETE FROM ragkit_data.sales_view RETURNING 1) SELECT count(*) FROM d",
    ],
    [
      "leaving READ ONLY after a role switch",
      "SELECT set_config('role', 'postgres', true), set_config('transaction_read_only', 'off', true)",
    ],
  ])("cannot write: %s", async (_label, sql) => {
    const error = await rejectionOf(
      executeInReadOnlyScope(store, a, sql, [], { fence: false, limits: false }),
    );
    expect(["25006", "42501", "25001"]).toContain(sqlStateOf(error.cause));
    const [count] = await db.driver.query<{ n: number }>("SELECT count(*)::int AS n FROM ragkit.sales");
    expect(count!.n).toBe(rowsA.length + rowsB.length);
  });

  it("READ ONLY alone stops writes", async () => {
    const error = await rejectionOf(
      executeInReadOnlyScope(store, a, "CREATE TEMP TABLE scratch (a int)", [], {
        fence: false,
        limits: false,
      }),
    );
    expect(sqlStateOf(error.cause)).toBe("25006");
    expect(error.message).toMatch(/read-only transaction/);
  });

  it("the role alone stops writes (no READ ONLY)", async () => {
    for (const sql of [
      "DELETE FROM ragkit_data.sales_view",
      "UPDATE ragkit.sales SET units = 0",
      "INSERT INTO ragkit.sales (tenant_id, month, region, product, units, revenue) VALUES ('sql-tenant-a', '2025-01-01', 'X', 'Y', 1, 1)",
    ]) {
      const error = await rejectionOf(
        db.driver.transaction(async (tx) => {
          await tx.query("SELECT set_config('role', $1, true), set_config('ragkit.tenant_id', $2, true)", [
            ROLE,
            a.tenantId,
          ]);
          return tx.query(sql);
        }),
      );
      expect(sqlStateOf(error), sql).toBe("42501");
    }
    const [p] = await db.driver.query<Record<string, boolean>>(
      `SELECT has_table_privilege($1, 'ragkit_data.sales_view', 'SELECT') AS view_select,
              has_table_privilege($1, 'ragkit_data.sales_view', 'INSERT, UPDATE, DELETE, TRUNCATE') AS view_write,
              has_any_column_privilege($1, 'ragkit.sales', 'INSERT, UPDATE') AS base_write,
              has_column_privilege($1, 'ragkit.sales', 'tenant_id', 'SELECT') AS tenant_column,
              has_schema_privilege($1, 'ragkit', 'USAGE') AS main_schema,
              has_schema_privilege($1, 'ragkit_data', 'CREATE') AS data_create,
              has_table_privilege($1, 'ragkit.documents', 'SELECT') AS documents`,
      [ROLE],
    );
    expect(p).toEqual({
      view_select: true,
      view_write: false,
      base_write: false,
      tenant_column: false,
      main_schema: false,
      data_create: false,
      documents: false,
    });
  });

  it("the data schema holds only security-invoker views", async () => {
    const rows = await db.driver.query<{ relname: string; relkind: string; reloptions: string[] | null }>(
      `SELECT c.relname, c.relkind, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'ragkit_data'`,
    );
    expect(rows.map((r) => r.relname)).toEqual(["sales_view"]);
    for (const r of rows) {
      expect(r.relkind).toBe("v");
      expect(r.reloptions).toContain("security_invoker=true");
    }
    const [role] = await db.driver.query(
      "SELECT rolsuper, rolbypassrls, rolcanlogin, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1",
      [ROLE],
    );
    expect(role).toEqual({
      rolsuper: false,
      rolbypassrls: false,
      rolcanlogin: false,
      rolcreaterole: false,
      rolcreatedb: false,
    });
  });

  it("maps a statement that outlives the timeout to code timeout", async () => {
    const error = await rejectionOf(
      executeInReadOnlyScope(store, a, "SELECT pg_sleep(0.5)", [], { timeoutMs: 100, fence: false }),
    );
    expect(error.code).toBe("timeout");
    expect(error.message).toMatch(/cancelled/);
  });
});

describe("nlToSql", () => {
  async function run(question: string) {
    const translated = nlToSql(question, await store.listRegisteredDatasets());
    expect(translated.sql, question).not.toBeNull();
    const sql = translated.sql!;
    expect(await validateSelect(sql, { views: ["sales_view"] }), sql).toMatchObject({ ok: true });
    if ("description" in translated) expect(translated.description.length).toBeGreaterThan(5);
    return (await runReadOnlyQuery(store, a, sql)).rows;
  }

  it("total revenue by region", async () => {
    const rows = await run("What is the total revenue by region?");
    const expected = sumBy(
      rowsA,
      (r) => r.region,
      (r) => r.revenue,
    );
    expect(rows.map((r) => r.region)).toEqual([...expected.keys()].sort());
    for (const r of rows) expect(Number(r.total_revenue)).toBeCloseTo(expected.get(String(r.region))!, 2);
  });

  it("monthly sales by region", async () => {
    const rows = await run("Show monthly sales by region");
    const expected = sumBy(
      rowsA,
      (r) => `${r.month}/${r.region}`,
      (r) => r.revenue,
    );
    expect(rows).toHaveLength(expected.size);
    for (const r of rows) {
      expect(Number(r.total_revenue)).toBeCloseTo(expected.get(`${isoDate(r.month)}/${r.region}`)!, 2);
    }
  });

  it("units sold per product in 2025", async () => {
    const rows = await run("units sold per product in 2025");
    const expected = sumBy(
      rowsA.filter((r) => r.month.startsWith("2025")),
      (r) => r.product,
      (r) => r.units,
    );
    expect(new Map(rows.map((r) => [String(r.product), Number(r.total_units)]))).toEqual(expected);
  });

  it("top region by revenue", async () => {
    const rows = await run("Which is the top region by revenue?");
    const expected = [
      ...sumBy(
        rowsA,
        (r) => r.region,
        (r) => r.revenue,
      ),
    ].sort((x, y) => y[1] - x[1])[0]!;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.region).toBe(expected[0]);
    expect(Number(rows[0]!.total_revenue)).toBeCloseTo(expected[1], 2);
  });

  it("top 2 products by units in 2024", async () => {
    const rows = await run("top 2 products by units in 2024");
    const expected = [
      ...sumBy(
        rowsA.filter((r) => r.month.startsWith("2024")),
        (r) => r.product,
        (r) => r.units,
      ),
    ]
      .sort((x, y) => y[1] - x[1])
      .map(([product]) => product);
    expect(rows.map((r) => r.product)).toEqual(expected);
  });

  it("average revenue per month", async () => {
    const rows = await run("What is the average revenue per month?");
    const monthly = [
      ...sumBy(
        rowsA,
        (r) => r.month,
        (r) => r.revenue,
      ).values(),
    ];
    const expected = monthly.reduce((s, v) => s + v, 0) / monthly.length;
    expect(Number(rows[0]!.average_monthly_revenue)).toBeCloseTo(expected, 2);
  });

  it("total revenue", async () => {
    const rows = await run("total revenue");
    expect(Number(rows[0]!.total_revenue)).toBeCloseTo(
      rowsA.reduce((s, r) => s + r.revenue, 0),
      2,
    );
  });

  it.each([
    "Why did revenue drop in March?",
    "What's the weather like?",
    "Compare 2024 and 2025 revenue",
    "Forecast next quarter's sales",
    "",
  ])("returns null and asks for a model: %j", async (question) => {
    const result = nlToSql(question, await store.listRegisteredDatasets());
    expect(result.sql).toBeNull();
    if (result.sql === null) expect(result.reason).toMatch(/needs a model/);
  });
});

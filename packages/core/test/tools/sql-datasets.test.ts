import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customersDataset,
  ordersDataset,
  resultKey,
  SHOP_QUESTIONS,
  seedShop,
  shopSchemaSql,
} from "../../../../scripts/lib/shop-data.mjs";
import { createTenantContext } from "../../src/tenant/context.js";
import { executeInReadOnlyScope, runReadOnlyQuery } from "../../src/tools/sql/execute.js";
import { nlToSql } from "../../src/tools/sql/nl-to-sql.js";
import { openSqlTarget, rejectionOf, type SqlTarget, sqlTargets } from "./sql-targets.js";

const a = createTenantContext({ tenantId: "shop-a", userId: "u", source: "test" });
const b = createTenantContext({ tenantId: "shop-b", userId: "u", source: "test" });

describe.each(sqlTargets)("registered datasets on %s", (kind) => {
  let t: SqlTarget;
  let rowsA: Awaited<ReturnType<typeof seedShop>>;
  let rowsB: Awaited<ReturnType<typeof seedShop>>;
  const owner = (sql: string, params?: readonly unknown[]) => t.admin.query(sql, params);
  const expected = async (reference: string, tenant = a.tenantId) =>
    resultKey(await owner(reference, [tenant]));

  beforeAll(async () => {
    t = await openSqlTarget(kind);
    for (const ctx of [a, b]) await t.store.ensureTenant(ctx);
    await t.admin.exec(shopSchemaSql(`${t.schema}_app`));
    rowsA = await seedShop(owner, a.tenantId);
    rowsB = await seedShop(owner, b.tenantId, { customers: 10, orders: 90 });
    await t.store.registerDataset(customersDataset);
    await t.store.registerDataset(ordersDataset);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lists the datasets with the database's column types, tenant_id never among them", async () => {
    const datasets = await t.store.listRegisteredDatasets();
    expect(datasets.map((d) => d.name)).toEqual(["customers", "orders"]);
    const orders = datasets.find((d) => d.name === "orders")!;
    expect(Object.fromEntries(orders.columns.map((c) => [c.name, c.type]))).toMatchObject({
      amount: "numeric(10,2)",
      ordered_on: "date",
      quantity: "integer",
      status: "text",
    });
    expect(orders.relationships).toEqual([
      { column: "customer_id", references: { dataset: "customers", column: "id" } },
    ]);
    const error = await rejectionOf(runReadOnlyQuery(t.store, a, "SELECT tenant_id FROM orders"));
    expect(error.message).toMatch(/tenant_id/);
  });

  it("confines each tenant to its own rows, joins included", async () => {
    const sql =
      "SELECT count(*) AS n, count(DISTINCT c.id) AS customers FROM orders o JOIN customers c ON c.id = o.customer_id";
    const ra = await runReadOnlyQuery(t.store, a, sql);
    const rb = await runReadOnlyQuery(t.store, b, sql);
    expect(Number(ra.rows[0]!.n)).toBe(rowsA.orders.length);
    expect(Number(rb.rows[0]!.n)).toBe(rowsB.orders.length);
    const names = await runReadOnlyQuery(t.store, b, "SELECT DISTINCT name FROM customers");
    expect(names.rows.every((r) => String(r.name).startsWith("shop-b-"))).toBe(true);
  });

  it("computes sample values per tenant, under row-level security", async () => {
    const [customers] = await t.store.describeDatasets(b);
    const names = customers!.columns.find((c) => c.name === "name")!.samples;
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => String(n).startsWith("shop-b-"))).toBe(true);
    expect(customers!.sampleRows.length).toBe(3);
    expect(customers!.sampleRows.every((r) => !("tenant_id" in r))).toBe(true);
  });

  it("never lets the read-only role name the host's base tables", async () => {
    expect(
      (await rejectionOf(runReadOnlyQuery(t.store, a, "SELECT * FROM shop.orders"))).details[0]?.message,
    ).toBe("relation_not_allowed");
    // Without the parser and the fence, the database itself refuses (no USAGE on the host's schema).
    const error = await rejectionOf(
      executeInReadOnlyScope(t.store, a, "SELECT count(*) FROM shop.orders", [], {
        fence: false,
        limits: false,
      }),
    );
    expect(error.message).toMatch(/permission denied/);
  });

  it("answers the offline translator's questions over both datasets like the reference SQL", async () => {
    const datasets = await t.store.listRegisteredDatasets();
    for (const q of SHOP_QUESTIONS.slice(0, 30)) {
      const plan = nlToSql(q.question, datasets);
      expect(plan.sql, q.question).not.toBeNull();
      const result = await runReadOnlyQuery(t.store, a, plan.sql!);
      expect(resultKey(result.rows), q.question).toBe(await expected(q.reference));
    }
    const beyond = nlToSql("What is the revenue of shipped orders?", datasets);
    expect(beyond.sql).toBeNull();
    if (beyond.sql === null) expect(beyond.reason).toMatch(/needs a model/);
  });

  it("refuses sources that are not tenant-scoped tables under row-level security", async () => {
    await t.admin.exec(`
      CREATE TABLE IF NOT EXISTS shop.open_table (tenant_id text, v int);
      CREATE TABLE IF NOT EXISTS shop.public_policy (tenant_id text, v int);
      ALTER TABLE shop.public_policy ENABLE ROW LEVEL SECURITY;
      DROP POLICY IF EXISTS everyone ON shop.public_policy;
      CREATE POLICY everyone ON shop.public_policy USING (true);
      CREATE TABLE IF NOT EXISTS shop.no_tenant (v int);
      ALTER TABLE shop.no_tenant ENABLE ROW LEVEL SECURITY;`);
    const column = [{ name: "v", role: "measure" as const }];
    await expect(
      t.store.registerDataset({
        name: "open_data",
        description: "x",
        source: { table: "shop.open_table" },
        columns: column,
      }),
    ).rejects.toThrow(/row-level security/);
    await expect(
      t.store.registerDataset({
        name: "leaky",
        description: "x",
        source: { table: "shop.public_policy" },
        columns: column,
      }),
    ).rejects.toThrow(/apply to every role \(everyone\)/);
    await expect(
      t.store.registerDataset({
        name: "untenanted",
        description: "x",
        source: { table: "shop.no_tenant" },
        columns: column,
      }),
    ).rejects.toThrow(/tenant column/);
    await expect(
      t.store.registerDataset({
        name: "pg_class",
        description: "x",
        source: { table: "shop.orders" },
        columns: column,
      }),
    ).rejects.toThrow(/reserved/);
    await expect(
      t.store.registerDataset({
        name: "with_tenant",
        description: "x",
        source: { table: "shop.orders" },
        columns: [{ name: "tenant_id" }],
      }),
    ).rejects.toThrow(/never exposed/);
    expect((await t.store.listRegisteredDatasets()).map((d) => d.name)).toEqual(["customers", "orders"]);
  });

  it("registers a view definition over several tables, confined per tenant", async () => {
    await t.store.registerDataset({
      name: "order_segments",
      description: "Orders with the customer's segment.",
      source: {
        view: "SELECT o.id, o.amount, c.segment FROM shop.orders o JOIN shop.customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id",
      },
      columns: [
        { name: "id", role: "key" },
        { name: "amount", role: "measure" },
        { name: "segment", role: "dimension" },
      ],
    });
    const result = await runReadOnlyQuery(
      t.store,
      b,
      "SELECT segment, sum(amount) AS s FROM order_segments GROUP BY 1",
    );
    expect(resultKey(result.rows)).toBe(
      await expected(
        "SELECT c.segment, sum(o.amount) FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id AND c.tenant_id = o.tenant_id WHERE o.tenant_id = $1 GROUP BY 1",
        b.tenantId,
      ),
    );
    await t.store.removeDataset("order_segments");
  });

  it("re-registering replaces the view and its grants (the fence's baseline follows)", async () => {
    const spec = ordersDataset as { columns: Array<{ name: string }> };
    await t.store.registerDataset({
      ...ordersDataset,
      columns: spec.columns.filter((c) => c.name !== "quantity"),
    });
    const error = await rejectionOf(runReadOnlyQuery(t.store, a, "SELECT sum(quantity) FROM orders"));
    expect(error.message).toMatch(/quantity/);
    const [granted] = await t.admin.query<{ ok: boolean }>(
      "SELECT has_column_privilege($1, 'shop.orders'::regclass, 'quantity', 'SELECT') AS ok",
      [`${t.schema}_app_readonly`],
    );
    expect(granted!.ok).toBe(false);
    await t.store.registerDataset(ordersDataset);
    const total = await runReadOnlyQuery(t.store, a, "SELECT sum(quantity) AS q FROM orders");
    expect(Number(total.rows[0]!.q)).toBe(rowsA.orders.reduce((s, o) => s + o.quantity, 0));
  });

  it("removal drops the view and revokes what no other dataset needs", async () => {
    const privileges = async () =>
      (
        await t.admin.query<{ column: string; granted: boolean }>(
          `SELECT a.attname AS column, has_column_privilege($1, 'shop.customers'::regclass, a.attname, 'SELECT') AS granted
             FROM pg_attribute a WHERE a.attrelid = 'shop.customers'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
          [`${t.schema}_app_readonly`],
        )
      )
        .filter((r) => r.granted)
        .map((r) => r.column);
    expect(await privileges()).toEqual(["id", "name", "segment", "country", "signed_up"]);
    await t.store.removeDataset("customers");
    expect(await privileges()).toEqual([]);
    const [policies] = await t.admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_policy WHERE polrelid = 'shop.customers'::regclass AND polname = $1",
      [`${t.schema}_sql_tool_tenant`],
    );
    expect(policies!.n).toBe(0);
    const error = await rejectionOf(runReadOnlyQuery(t.store, a, "SELECT count(*) FROM customers"));
    expect(error.details[0]?.message).toBe("relation_not_allowed");
    expect((await runReadOnlyQuery(t.store, a, "SELECT count(*) AS n FROM orders")).rows[0]!.n).toBeDefined();
    await expect(t.store.removeDataset("customers")).rejects.toMatchObject({ code: "not_found" });
    await t.store.registerDataset(customersDataset);
    expect(await privileges()).toEqual(["id", "name", "segment", "country", "signed_up"]);
  });
});

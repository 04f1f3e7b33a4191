import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenantContext } from "../../src/tenant/context.js";
import { exampleSalesRows, seedExampleSales } from "../../src/tools/sql/example-data.js";
import { executeInReadOnlyScope, runReadOnlyQuery } from "../../src/tools/sql/execute.js";
import { openSqlTarget, rejectionOf, type SqlTarget, sqlTargets } from "./sql-targets.js";

const a = createTenantContext({ tenantId: "bounds-a", source: "test" });
const b = createTenantContext({ tenantId: "bounds-b", source: "test" });

/** The attack from issue 17: 72 rows per tenant, 72^5 ≈ 1.9 billion combinations; 101 s on PGlite unbounded. */
const FIVE_WAY =
  "SELECT count(*) AS n FROM sales_view t0, sales_view t1, sales_view t2, sales_view t3, sales_view t4";

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - started), value };
}

describe.each(sqlTargets)("SQL tool cost bounds on %s", (kind) => {
  let t: SqlTarget;
  beforeAll(async () => {
    t = await openSqlTarget(kind);
    for (const ctx of [a, b]) await t.store.ensureTenant(ctx);
    await seedExampleSales(t.store, a);
    await seedExampleSales(t.store, b, exampleSalesRows({ year: 2024 }));
    if (kind === "postgres") {
      // What autovacuum does within a minute; the runtime role does not own the table and cannot ANALYZE it.
      await t.admin.exec(`ANALYZE ${t.schema}.sales`);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it("refuses the 5-way cross join before it runs, with a message for the approval card", async () => {
    const parser = await timed(() => rejectionOf(runReadOnlyQuery(t.store, a, FIVE_WAY)));
    expect(parser.value.message).toMatch(/joins 5 relations in one FROM clause; at most 4/);
    // With the relation limit raised, the plan bounds refuse it (cross joins, rows, cost).
    const plan = await timed(() =>
      rejectionOf(runReadOnlyQuery(t.store, a, FIVE_WAY, { maxJoinedRelations: 5 })),
    );
    expect(plan.value.code).toBe("invalid_input");
    expect(plan.value.message).toMatch(
      /^Query refused before running: it combines 4 inputs without any join condition/,
    );
    expect(plan.value.details).toEqual([{ path: "sql", message: "cross_join_limit" }]);
    const rows = await timed(() =>
      rejectionOf(runReadOnlyQuery(t.store, a, FIVE_WAY, { maxJoinedRelations: 5, maxCrossJoins: 10 })),
    );
    expect(rows.value.message).toMatch(/can produce 1,934,917,632 rows/);
    const cost = await timed(() =>
      rejectionOf(
        runReadOnlyQuery(t.store, a, FIVE_WAY, {
          maxJoinedRelations: 5,
          maxCrossJoins: 10,
          maxEstimatedRows: 1e12,
        }),
      ),
    );
    expect(cost.value.details).toEqual([{ path: "sql", message: "cost_limit" }]);
    console.info(
      `[bounds:${kind}] 5-way join refused by the parser in ${parser.ms} ms, by the plan in ${plan.ms} / ${rows.ms} / ${cost.ms} ms`,
    );
  });

  it("refuses a cross join disguised with a condition that filters nothing, by rows and cost", async () => {
    // A condition on one side only is pushed into that side's scan: the join itself is still a Cartesian product.
    const oneSided = `SELECT count(*) FROM sales_view t0 JOIN sales_view t1 ON t0.units > -1
                      JOIN sales_view t2 ON t1.units > -1`;
    expect((await rejectionOf(runReadOnlyQuery(t.store, a, oneSided))).details[0]?.message).toBe(
      "cross_join_limit",
    );
    // A condition over both sides that filters nothing makes a real join condition: rows and cost refuse it.
    const sql = `SELECT count(*) FROM sales_view t0 JOIN sales_view t1 ON t0.units + t1.units > -1
                 JOIN sales_view t2 ON t1.units + t2.units > -1 JOIN sales_view t3 ON t2.units + t3.units > -1`;
    const error = await rejectionOf(runReadOnlyQuery(t.store, a, sql));
    expect(error.details[0]?.message).toMatch(/^(rows_limit|cost_limit)$/);
  });

  it("runs real joins and aggregates well inside the bounds", async () => {
    const result = await runReadOnlyQuery(
      t.store,
      a,
      `SELECT a.region, sum(a.revenue) AS revenue, sum(b.units) AS units
         FROM sales_view a JOIN sales_view b ON a.month = b.month AND a.region = b.region AND a.product = b.product
        GROUP BY a.region ORDER BY a.region`,
    );
    expect(result.rowCount).toBe(3);
    const pairs = await runReadOnlyQuery(
      t.store,
      a,
      "SELECT r.region, p.product FROM (SELECT DISTINCT region FROM sales_view) r CROSS JOIN (SELECT DISTINCT product FROM sales_view) p",
    );
    expect(pairs.rowCount).toBe(6);
  });

  it("validates the limits", async () => {
    await expect(runReadOnlyQuery(t.store, a, "SELECT 1", { maxCost: -1 })).rejects.toThrow(/maxCost/);
    await expect(runReadOnlyQuery(t.store, a, "SELECT 1", { maxCrossJoins: Number.NaN })).rejects.toThrow(
      /maxCrossJoins/,
    );
  });

  it("the timeout is the backstop for what the estimates let through", async () => {
    // Bounds off. A server cancels the 4-way join (27 million rows) at 200 ms; PGlite cannot interrupt a
    // statement, so there a shorter one (373,248 rows) outlives a 1 ms bound and its result is discarded.
    const server = kind === "postgres";
    const views = Array.from({ length: server ? 4 : 3 }, (_, i) => `${t.schema}_data.sales_view t${i}`);
    const { ms, value } = await timed(() =>
      rejectionOf(
        executeInReadOnlyScope(t.store, a, `SELECT count(*) AS n FROM ${views.join(", ")}`, [], {
          timeoutMs: server ? 200 : 1,
          limits: false,
        }),
      ),
    );
    expect(value.code).toBe("timeout");
    console.info(
      `[bounds:${kind}] ${views.length}-way join with bounds off: ${server ? "cancelled by the server (timeoutMs 200)" : "ran to completion, result discarded (timeoutMs 1)"} after ${ms} ms`,
    );
  });
});

describe("statistics on the embedded default", () => {
  it("are refreshed before planning, so a freshly loaded table is estimated at its real size", async () => {
    const t = await openSqlTarget("pglite");
    try {
      await t.store.ensureTenant(a);
      await seedExampleSales(t.store, a);
      const [before] = await t.admin.query<{ reltuples: number }>(
        "SELECT reltuples FROM pg_class WHERE oid = 'ragkit.sales'::regclass",
      );
      expect(before!.reltuples).toBeLessThan(0); // never analyzed: the planner would guess
      const error = await rejectionOf(
        runReadOnlyQuery(
          t.store,
          a,
          "SELECT count(*) FROM sales_view t0, sales_view t1, sales_view t2, sales_view t3",
          {
            maxCrossJoins: 10,
          },
        ),
      );
      expect(error.details[0]?.message).toBe("rows_limit");
      const [after] = await t.admin.query<{ reltuples: number }>(
        "SELECT reltuples FROM pg_class WHERE oid = 'ragkit.sales'::regclass",
      );
      expect(after!.reltuples).toBe(exampleSalesRows().length);
    } finally {
      await t.close();
    }
  });
});

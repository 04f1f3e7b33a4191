import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenantContext } from "../../src/tenant/context.js";
import { seedExampleSales } from "../../src/tools/sql/example-data.js";
import { executeInReadOnlyScope } from "../../src/tools/sql/execute.js";
import { validateSelect } from "../../src/tools/sql/validate.js";
import { openSqlTarget, type SqlTarget, sqlTargets } from "./sql-targets.js";

/**
 * Property: every SELECT the validator accepts reads only the allowed views *as Postgres resolves it* — the
 * relations in `EXPLAIN (VERBOSE, FORMAT JSON)`, planned in the tool's scope, are the views' base table and
 * nothing else. The generator mixes exactly the things the reported bypass played on: quoted, unquoted and
 * mixed-case names of views, catalogs and CTEs, CTE shadowing at several levels, sub-selects in FROM and WHERE,
 * LATERAL, set operations, casts and function calls. Fixed seed and run count: deterministic and fast.
 */

const ctx = createTenantContext({ tenantId: "property-a", source: "test" });

// Relation names as an attacker would write them: the view in every quoting (some of which name nothing) …
const viewNames = [
  "sales_view",
  '"sales_view"',
  "SALES_VIEW",
  "Sales_View",
  '"SALES_VIEW"',
  "ragkit_data.sales_view",
  'ragkit_data."sales_view"',
  '"ragkit_data".SALES_VIEW',
];
// … and catalogs and other schemas.
const otherNames = [
  "pg_roles",
  '"PG_ROLES"',
  "Pg_Roles",
  '"pg_roles"',
  "pg_catalog.pg_roles",
  "pg_class",
  '"Pg_Class"',
  "pg_stat_user_tables",
  "PG_SETTINGS",
  "information_schema.tables",
  "ragkit.sales",
  "pg_temp.sales_view",
];
// CTE names that shadow (or almost shadow) the names above.
const cteNames = [
  "pg_roles",
  '"PG_ROLES"',
  "Pg_Roles",
  "sales_view",
  '"Sales_View"',
  "pg_class",
  "c1",
  '"C1"',
];
// One-column expressions valid over any relation: allowlisted ones …
const goodExpressions = [
  "1",
  "count(*)",
  "'a'::text",
  "lower('X')",
  "round(2.5)",
  "(1)::numeric(10,2)",
  "coalesce(null, 2)",
  "extract(year FROM DATE '2025-03-01')",
];
// … and ones that read server state.
const badExpressions = [
  "current_setting('server_version')",
  "length(version())",
  "(SELECT count(*) FROM pg_roles)",
  "'pg_authid'::regclass::oid::int",
];

type Query = fc.Arbitrary<string>;

const name = (list: string[]) => fc.constantFrom(...list);
const mostly = (good: string[], bad: string[]) =>
  fc.oneof({ weight: 5, arbitrary: name(good) }, { weight: 1, arbitrary: name(bad) });
const relation = mostly(viewNames, otherNames);
const expression = mostly(goodExpressions, badExpressions);
const fromItem = fc.oneof({ weight: 3, arbitrary: relation }, { weight: 2, arbitrary: name(cteNames) });

const select: (depth: number) => Query = (depth) => {
  const leaf = fc.tuple(expression, fromItem).map(([e, r]) => `SELECT (${e})::text AS x FROM ${r}`);
  if (depth <= 0) return leaf;
  const inner = select(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    // CTE shadowing, one or two items, the second may refer to the first.
    fc
      .tuple(name(cteNames), inner, name(cteNames), inner, inner)
      .map(([n1, b1, n2, b2, main]) =>
        n1.toLowerCase() === n2.toLowerCase()
          ? `WITH ${n1} AS (${b1}) ${main}`
          : `WITH ${n1} AS (${b1}), ${n2} AS (${b2}) ${main}`,
      ),
    // Sub-select in FROM, and LATERAL.
    fc.tuple(inner, relation).map(([q, r]) => `SELECT s.x FROM (${q}) AS s, ${r}`),
    fc.tuple(relation, inner).map(([r, q]) => `SELECT l.x FROM ${r} AS o, LATERAL (${q}) AS l`),
    // Sub-select in WHERE and in the select list.
    fc
      .tuple(expression, relation, inner)
      .map(([e, r, q]) => `SELECT (${e})::text AS x FROM ${r} WHERE EXISTS (${q})`),
    fc
      .tuple(inner, relation)
      .map(([q, r]) => `SELECT (SELECT count(*) FROM (${q}) AS z)::text AS x FROM ${r}`),
    // Set operations, with a CTE on one branch only.
    fc
      .tuple(inner, fc.constantFrom("UNION", "UNION ALL", "EXCEPT", "INTERSECT"), inner)
      .map(([l, op, r]) => `(${l}) ${op} (${r})`),
    fc
      .tuple(name(cteNames), inner, inner, inner)
      .map(([n, body, l, r]) => `(WITH ${n} AS (${body}) ${l}) UNION ALL (${r})`),
  );
};

/** Every relation a plan scans, as "schema.relation". */
function scanned(plan: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(plan)) for (const p of plan) scanned(p, out);
  else if (plan && typeof plan === "object") {
    const node = plan as Record<string, unknown>;
    if (typeof node["Relation Name"] === "string") out.add(`${node.Schema}.${node["Relation Name"]}`);
    if (node["Node Type"] === "Function Scan") out.add(`function ${String(node["Function Name"])}`);
    for (const value of Object.values(node)) if (typeof value === "object") scanned(value, out);
  }
  return out;
}

describe.each(sqlTargets.filter((k) => k !== "pg-socket"))("validator property on %s", (kind) => {
  let t: SqlTarget;
  beforeAll(async () => {
    t = await openSqlTarget(kind);
    await t.store.ensureTenant(ctx);
    await seedExampleSales(t.store, ctx);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("every accepted query reads only the allowed views, by Postgres' own account", async () => {
    const schemaFor = (sql: string) =>
      sql.replaceAll("ragkit_data", `${t.schema}_data`).replaceAll("ragkit.", `${t.schema}.`);
    const allowed = new Set([`${t.schema}.sales`]);
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(select(2), async (raw) => {
        const sql = schemaFor(raw);
        const verdict = await validateSelect(sql, {
          schema: t.schema,
          views: ["sales_view"],
          maxJoinedRelations: 8,
          maxRelationReferences: 64,
        });
        if (!verdict.ok) {
          refused += 1;
          return;
        }
        accepted += 1;
        // The parser alone decided; ask Postgres (no plan fence, no bounds) what the statement reads.
        const [row] = await executeInReadOnlyScope(
          t.store,
          ctx,
          `EXPLAIN (VERBOSE, FORMAT JSON) SELECT * FROM (${verdict.sql}\n) q LIMIT 11`,
          [],
          { fence: false, limits: false },
        );
        const relations = scanned(row?.["QUERY PLAN"]);
        for (const r of relations) expect(allowed.has(r), `${sql}\n→ reads ${r}`).toBe(true);
      }),
      { seed: 20_260_312, numRuns: 300, endOnFailure: true },
    );
    console.info(
      `[property:${kind}] 300 generated SELECTs: ${accepted} accepted (all verified by EXPLAIN), ${refused} refused`,
    );
    // The generator must exercise both sides, or the property proves nothing.
    expect(accepted).toBeGreaterThan(40);
    expect(refused).toBeGreaterThan(40);
  });
});

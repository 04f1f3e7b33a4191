import { describe, expect, it } from "vitest";
import {
  type SqlRejection,
  type ValidateOptions,
  validateSelect as validate,
} from "../../src/tools/sql/validate.js";

/** The example dataset's view is the one registered relation these static checks allow. */
const validateSelect = (sql: string, options: ValidateOptions = {}) =>
  validate(sql, { views: ["sales_view"], ...options });

async function rejection(sql: string, options = {}) {
  const result = await validateSelect(sql, options);
  if (result.ok) throw new Error(`expected ${JSON.stringify(sql)} to be rejected`);
  expect(result.reason.length, result.reason).toBeGreaterThan(5);
  return result;
}

describe("validateSelect: accepted queries", () => {
  it.each([
    "SELECT region, sum(revenue) AS total FROM sales_view GROUP BY region ORDER BY total DESC;",
    "SELECT * FROM ragkit_data.sales_view WHERE month >= DATE '2025-01-01' LIMIT 5",
    'SELECT * FROM "sales_view" s, ragkit_data."sales_view" t WHERE s.month = t.month',
    "WITH m AS (SELECT month, sum(units) AS u FROM sales_view GROUP BY month), t AS (SELECT * FROM m) SELECT avg(u) FROM t",
    "SELECT extract(year FROM month) AS y, to_char(month, 'YYYY-MM'), round(avg(revenue), 2), count(DISTINCT product) FROM sales_view GROUP BY 1, 2",
    "SELECT region, rank() OVER (ORDER BY sum(revenue) DESC) FROM sales_view GROUP BY region",
    "SELECT a.region FROM sales_view a JOIN sales_view b ON a.month = b.month UNION SELECT 'x; not a statement'",
    "SELECT CASE WHEN units > 100 THEN 'big' ELSE 'small' END, coalesce(lower(region), '') FROM sales_view WHERE region IN ('North', 'South') AND units BETWEEN 1 AND 500",
    "SELECT 1 FROM sales_view -- a comment; DELETE FROM sales_view",
    "SELECT /* ; DROP TABLE x; */ region FROM sales_view",
    "SELECT $$dollar ; quoted$$, E'it\\'s' FROM sales_view",
    "SELECT u.* FROM sales_view s, LATERAL (SELECT s.units * 2 AS double_units) u",
    "SELECT region FROM sales_view EXCEPT SELECT region FROM sales_view WHERE units < 10",
    "SELECT (SELECT max(units) FROM sales_view) AS top, units::numeric(10,2), revenue::float8, month::text FROM sales_view",
    "SELECT * FROM (VALUES ('North', 1), ('South', 2)) AS p(region, prio) JOIN sales_view s USING (region)",
    // Nested WITH in a sub-select; the inner name shadows nothing real.
    "SELECT (WITH q AS (SELECT units FROM sales_view) SELECT max(units) FROM q) FROM sales_view",
    // The CTE shadows the allowed view's name: only the CTE is read.
    "WITH sales_view AS (SELECT 1 AS units) SELECT units FROM sales_view",
  ])("accepts %s", async (sql) => {
    const result = await validateSelect(sql);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
  });

  it("returns the statement text without trailing semicolons and the views read", async () => {
    expect(await validateSelect("  SELECT region FROM sales_view ;; ")).toEqual({
      ok: true,
      sql: "SELECT region FROM sales_view",
      relations: ["sales_view"],
    });
    expect(await validateSelect("WITH sales_view AS (SELECT 1 AS x) SELECT x FROM sales_view")).toMatchObject(
      {
        relations: [],
      },
    );
  });

  it("knows the data schema of a non-default store schema", async () => {
    expect((await validateSelect("SELECT * FROM acme_data.sales_view", { schema: "acme" })).ok).toBe(true);
    expect((await validateSelect("SELECT * FROM ragkit_data.sales_view", { schema: "acme" })).ok).toBe(false);
  });
});

describe("validateSelect: names resolve as Postgres resolves them", () => {
  const cases: Array<[string, string]> = [
    // The reported bypass: a quoted CTE name is a different name from the unquoted catalog relation.
    ['WITH "PG_ROLES" AS (SELECT 1 AS x) SELECT rolname, rolsuper, rolcanlogin FROM pg_roles', "pg_roles"],
    ['WITH "Pg_Stat_User_Tables" AS (SELECT 1) SELECT * FROM pg_stat_user_tables', "pg_stat_user_tables"],
    // And the mirror image: an unquoted CTE name folds to lower case and does not cover a quoted upper-case one.
    ['WITH pg_roles AS (SELECT 1 AS x) SELECT * FROM "PG_ROLES"', '"PG_ROLES"'],
    // A CTE never covers a schema-qualified name.
    ["WITH pg_roles AS (SELECT 1 AS x) SELECT * FROM pg_catalog.pg_roles", "pg_catalog.pg_roles"],
    ["WITH sales AS (SELECT 1 AS x) SELECT * FROM ragkit.sales", "ragkit.sales"],
    // Inside its own body a plain CTE is not in scope: the name is the catalog relation.
    ["WITH pg_roles AS (SELECT * FROM pg_roles) SELECT * FROM pg_roles", "pg_roles"],
    // A later sibling is not in scope for an earlier one.
    ["WITH a AS (SELECT * FROM pg_settings), pg_settings AS (SELECT 1) SELECT * FROM a", "pg_settings"],
    // A CTE of a sub-select is not in scope outside it.
    ["SELECT (WITH pg_roles AS (SELECT 1) SELECT 1), (SELECT rolname FROM pg_roles LIMIT 1)", "pg_roles"],
    ["SELECT * FROM (WITH pg_authid AS (SELECT 1) SELECT 1) a, pg_authid", "pg_authid"],
    // A CTE of one set-operation branch is not in scope in the other.
    [
      "(WITH pg_roles AS (SELECT 'x' AS rolname) SELECT rolname FROM pg_roles) UNION SELECT rolname FROM pg_roles",
      "pg_roles",
    ],
    // LATERAL and correlated sub-selects see only real names.
    ["SELECT * FROM sales_view s, LATERAL (SELECT * FROM pg_stat_activity) a", "pg_stat_activity"],
    [
      "SELECT * FROM sales_view s WHERE EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = s.region)",
      "pg_class",
    ],
    // An alias is not a relation name.
    ["SELECT * FROM sales_view AS pg_roles, pg_roles", "pg_roles"],
    ["SELECT * FROM information_schema.tables", "information_schema.tables"],
    ["SELECT * FROM ragkit.documents", "ragkit.documents"],
    ["SELECT * FROM pg_temp.sales_view", "pg_temp.sales_view"],
    ["SELECT * FROM postgres.ragkit_data.sales_view", "Cross-database"],
    ['SELECT * FROM "Sales_View"', '"Sales_View"'],
    ['SELECT * FROM ragkit_data."SALES_VIEW"', '"SALES_VIEW"'],
    ['SELECT * FROM "ragkit_data.sales_view"', '"ragkit_data.sales_view"'],
    ['SELECT * FROM U&"\\0070g_roles"', "pg_roles"],
    ["TABLE pg_roles", "pg_roles"],
  ];
  it.each(cases)("refuses %s (reads %s)", async (sql, shown) => {
    const result = await rejection(sql);
    expect(result.code, result.reason).toBe("relation_not_allowed");
    expect(result.reason).toContain(shown);
  });

  it("WITH RECURSIVE is refused by default and scoped exactly when allowed", async () => {
    expect(
      (await rejection("WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT * FROM r"))
        .code,
    ).toBe("recursive_with");
    const allow = { allowRecursive: true };
    expect(
      (
        await validateSelect(
          "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
          allow,
        )
      ).ok,
    ).toBe(true);
    // In WITH RECURSIVE every item sees every other (a later one too) …
    expect(
      (
        await validateSelect(
          "WITH RECURSIVE a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a",
          allow,
        )
      ).ok,
    ).toBe(true);
    // … but still nothing outside the list.
    expect(
      (await rejection("WITH RECURSIVE a AS (SELECT * FROM pg_roles) SELECT * FROM a", allow)).code,
    ).toBe("relation_not_allowed");
  });
});

describe("validateSelect: refused constructs", () => {
  const rejected: Array<[string, SqlRejection]> = [
    ["", "empty"],
    ["  ;  ", "empty"],
    ["-- only a comment", "empty"],
    ["SELECT 1 FROM sales_view; DELETE FROM sales_view", "multiple_statements"],
    ["SELECT 1 FROM sales_view; SELECT 2 FROM sales_view", "multiple_statements"],
    ["SELECT 1 /* /* nested */ ; */ ; DELETE FROM sales_view", "multiple_statements"],
    ["DELETE FROM sales_view", "not_select"],
    ["INSERT INTO sales_view (units) VALUES (1)", "not_select"],
    ["UPDATE sales_view SET units = 0", "not_select"],
    ["DROP TABLE ragkit.sales", "not_select"],
    ["CREATE TABLE x (a int)", "not_select"],
    ["SET ROLE postgres", "not_select"],
    ["SET statement_timeout = 0", "not_select"],
    ["EXPLAIN ANALYZE SELECT 1", "not_select"],
    ["COPY (SELECT 1) TO '/tmp/x'", "not_select"],
    ["WITH d AS (DELETE FROM sales_view RETURNING *) SELECT * FROM d", "not_select"],
    ["SELECT set_config('role', 'postgres', true)", "function_not_allowed"],
    ["SELECT current_setting('ragkit.tenant_id')", "function_not_allowed"],
    ["SELECT pg_sleep(10)", "function_not_allowed"],
    ["SELECT pg_read_file('/etc/passwd')", "function_not_allowed"],
    ["SELECT * FROM pg_ls_dir('.')", "construct_not_allowed"],
    ["SELECT query_to_xml('SELECT * FROM pg_roles', true, true, '')", "function_not_allowed"],
    ["SELECT dblink('host=x', 'SELECT 1')", "function_not_allowed"],
    ["SELECT lo_import('/etc/passwd')", "function_not_allowed"],
    ["SELECT txid_current()", "function_not_allowed"],
    ["SELECT pg_stat_get_live_tuples(1259)", "function_not_allowed"],
    ["SELECT version()", "function_not_allowed"],
    ["SELECT repeat('x', 100000000)", "function_not_allowed"],
    ['SELECT "COUNT"(*) FROM sales_view', "function_not_allowed"],
    ["SELECT public.count(*) FROM sales_view", "function_not_allowed"],
    ["SELECT ragkit.current_tenant()", "function_not_allowed"],
    ["SELECT * FROM generate_series(1, 10)", "construct_not_allowed"],
    ["SELECT * FROM sales_view FOR UPDATE", "construct_not_allowed"],
    ["SELECT * INTO stolen FROM sales_view", "construct_not_allowed"],
    ["SELECT * FROM sales_view TABLESAMPLE SYSTEM (10)", "construct_not_allowed"],
    ["SELECT xmlelement(name x) FROM sales_view", "construct_not_allowed"],
    ["SELECT $1 FROM sales_view", "construct_not_allowed"],
    ["SELECT month::regclass FROM sales_view", "cast_not_allowed"],
    ["SELECT 'pg_authid'::pg_catalog.regclass::oid", "cast_not_allowed"],
    ["SELECT CAST(units AS json) FROM sales_view", "cast_not_allowed"],
    ["SELECT current_user FROM sales_view", "function_not_allowed"],
    ["SELECT session_user", "function_not_allowed"],
    ["SELECT region FROM sales_view WHERE region ~ '^(a+)+$'", "operator_not_allowed"],
    ["SELECT region FROM sales_view WHERE region SIMILAR TO 'a%'", "operator_not_allowed"],
    ["SELECT 1 OPERATOR(public.+) 1", "operator_not_allowed"],
    ["WITH a AS (SELECT 1), a AS (SELECT 2) SELECT * FROM a", "construct_not_allowed"],
    [
      "SELECT count(*) FROM sales_view t0, sales_view t1, sales_view t2, sales_view t3, sales_view t4",
      "too_many_relations",
    ],
    [
      "SELECT 1 FROM sales_view a JOIN sales_view b ON true JOIN sales_view c ON true JOIN sales_view d ON true JOIN sales_view e ON true",
      "too_many_relations",
    ],
  ];
  it.each(rejected)("rejects %j (%s)", async (sql, code) => {
    const result = await rejection(sql);
    expect(result.code, `${sql}: ${result.reason}`).toBe(code);
  });

  it("bounds the length and the number of relation references", async () => {
    expect((await rejection(`SELECT ${"1 + ".repeat(3000)}1`)).code).toBe("too_long");
    const many = Array.from({ length: 17 }, (_, i) => `(SELECT count(*) FROM sales_view) AS c${i}`).join(
      ", ",
    );
    expect((await rejection(`SELECT ${many}`)).code).toBe("too_many_relations");
  });

  it("reports Postgres' own syntax error", async () => {
    const result = await rejection("SELEC region FROM sales_view");
    expect(result.code).toBe("parse_error");
    expect(result.reason).toMatch(/syntax error at or near "SELEC"/);
  });
});

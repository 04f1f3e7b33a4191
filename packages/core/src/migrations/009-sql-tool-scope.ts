import type { MigrationContext } from "./types.js";

/**
 * Binds the SQL tool's tenant to a row its query cannot write, instead of the `ragkit.tenant_id` setting that any
 * SQL able to call `set_config` could change mid-query.
 *
 * - `<schema>.sql_tool_scope`: one row per tool transaction, inserted by the app role (for its own tenant, with
 *   its own transaction id) before the transaction turns READ ONLY and switches to the read-only role. The tool
 *   always rolls its transaction back, so rows never outlive it; a row is also bound to its transaction id, so
 *   even a committed one could never match another transaction. It holds no tenant data (hence `bound_tenant`,
 *   not a `tenant_id` table of the RLS catalog test): only which tenant the open transaction may read.
 * - `<schema>.sql_tool_tenant()`: the tenant of the current transaction's scope row (NULL without one: no rows).
 *   SECURITY DEFINER, because the read-only role has no USAGE on `<schema>` and must not get it. Declared
 *   IMMUTABLE on purpose: the planner folds it to a constant once per statement, at plan time, in the same
 *   transaction — so the tenant is fixed before the query starts, row estimates use the tenant's own statistics
 *   (the cost bounds depend on that) and no per-row call is paid. It must never back a plan cached across
 *   transactions; the tool plans every statement afresh (unnamed statements).
 * - On `sales`, the read-only role gets its own policy on that function, and the GUC-based `tenant_isolation`
 *   policy no longer applies to it (policies are OR-ed: it would re-open the setting).
 *
 * Catalog access is deliberately not REVOKEd from PUBLIC here: privileges are additive, so PUBLIC's grants on
 * `pg_catalog` cannot be withdrawn for one role; revoking them from PUBLIC would break every other role of the
 * database (the app's, psql, ORMs, pg_dump) and needs a superuser. The executor's plan fence (see
 * tools/sql/plan-fence.ts) refuses catalog reads instead, from the plan Postgres reports.
 */
export const sqlToolScopeMigration = {
  version: 9,
  name: "sql-tool-scope",
  sql: ({ schema: s, appRole }: MigrationContext) => `
CREATE TABLE ${s}.sql_tool_scope (
  xid xid8 PRIMARY KEY DEFAULT pg_current_xact_id(),
  bound_tenant text NOT NULL
);
COMMENT ON TABLE ${s}.sql_tool_scope IS
  'The tenant of an open SQL-tool transaction (never committed: the tool rolls back).';
ALTER TABLE ${s}.sql_tool_scope ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${s}.sql_tool_scope FORCE ROW LEVEL SECURITY;
CREATE POLICY bind_own_transaction ON ${s}.sql_tool_scope FOR INSERT TO ${appRole}
  WITH CHECK (bound_tenant = ${s}.current_tenant() AND xid = pg_current_xact_id());
CREATE POLICY read_own_transaction ON ${s}.sql_tool_scope FOR SELECT
  USING (xid = pg_current_xact_id_if_assigned());
GRANT INSERT (bound_tenant) ON ${s}.sql_tool_scope TO ${appRole};

CREATE FUNCTION ${s}.sql_tool_tenant() RETURNS text
  LANGUAGE sql IMMUTABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
  $fn$ SELECT bound_tenant FROM ${s}.sql_tool_scope WHERE xid = pg_current_xact_id_if_assigned() $fn$;
REVOKE ALL ON FUNCTION ${s}.sql_tool_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ${s}.sql_tool_tenant() TO ${appRole}_readonly;

ALTER POLICY tenant_isolation ON ${s}.sales TO ${appRole};
CREATE POLICY sql_tool_tenant ON ${s}.sales FOR SELECT TO ${appRole}_readonly
  USING (tenant_id = ${s}.sql_tool_tenant());
`,
};

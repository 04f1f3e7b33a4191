import type { MigrationContext } from "./types.js";

/**
 * The `query_database` tool's data: an example tenant-owned table (`sales`, monthly sales per region and
 * product) under the usual ENABLE + FORCE row-level security, and a read-only surface for model-written SQL:
 *
 * - schema `<schema>_data` holds only views, each `security_invoker = true` so the *caller's* privileges and
 *   row-level security apply to the base table (a plain view would run as its owner, who may be a superuser);
 * - the views expose no `tenant_id` column;
 * - role `<appRole>_readonly` (NOLOGIN, NOBYPASSRLS) may use that schema and select those views. Because the
 *   views are security-invoker, it also holds column-level SELECT on the exposed base-table columns, but it
 *   has no USAGE on `<schema>` and so cannot even name the base table. No INSERT/UPDATE/DELETE anywhere.
 *
 * Nothing is seeded here: data is per tenant (see `seedExampleSales`).
 */
export const sqlToolMigration = {
  version: 4,
  name: "sql-tool",
  sql: ({ schema: s, appRole }: MigrationContext) => `
CREATE TABLE ${s}.sales (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  region text NOT NULL CHECK (length(region) BETWEEN 1 AND 100),
  product text NOT NULL CHECK (length(product) BETWEEN 1 AND 100),
  units integer NOT NULL CHECK (units >= 0),
  revenue numeric(14, 2) NOT NULL CHECK (revenue >= 0),
  UNIQUE (tenant_id, month, region, product)
);
CREATE INDEX sales_tenant_month_idx ON ${s}.sales (tenant_id, month);

ALTER TABLE ${s}.sales ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${s}.sales FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${s}.sales
  USING (tenant_id = ${s}.current_tenant()) WITH CHECK (tenant_id = ${s}.current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.sales TO ${appRole};

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${appRole}_readonly') THEN
    CREATE ROLE ${appRole}_readonly NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
GRANT ${appRole}_readonly TO CURRENT_USER;

CREATE SCHEMA ${s}_data;
REVOKE ALL ON SCHEMA ${s}_data FROM PUBLIC;
GRANT USAGE ON SCHEMA ${s}_data TO ${appRole}_readonly;

CREATE VIEW ${s}_data.sales_view WITH (security_invoker = true) AS
  SELECT month, region, product, units, revenue FROM ${s}.sales;
COMMENT ON VIEW ${s}_data.sales_view IS
  'Monthly sales of the current tenant: month (first day), region, product, units, revenue.';
REVOKE ALL ON ${s}_data.sales_view FROM PUBLIC;
GRANT SELECT ON ${s}_data.sales_view TO ${appRole}_readonly;
-- security_invoker: the caller needs the base-table columns the view reads (never tenant_id).
GRANT SELECT (month, region, product, units, revenue) ON ${s}.sales TO ${appRole}_readonly;
`,
};

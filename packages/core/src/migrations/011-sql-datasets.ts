import type { MigrationContext } from "./types.js";

/**
 * The SQL tool's dataset registry: what model-written SQL may read is no longer fixed by a migration but
 * registered by the host (`store.registerDataset`, see tools/sql/datasets/). One row per dataset: its view in
 * `<schema>_data`, the description, columns (name, type, description, role) and relationships the prompt and
 * the offline translator use, and the base-table columns the read-only role was granted for it (so removal
 * can revoke exactly what no other dataset still needs).
 *
 * The example `sales` table of migration 004 stays (it is the demo's "host table"), but its hard-wired view,
 * grants and read-only policy go: registering `exampleSalesDataset` recreates them like any host table's.
 * The registry is written only by the owner (registration is an operator action that runs DDL); the app role
 * reads it to build the allowlist and the prompt. It holds no tenant data.
 */
export const sqlDatasetsMigration = {
  version: 11,
  name: "sql-datasets",
  sql: ({ schema: s, appRole }: MigrationContext) => `
CREATE TABLE ${s}.sql_datasets (
  name text PRIMARY KEY CHECK (name ~ '^[a-z_][a-z0-9_]{0,47}$'),
  description text NOT NULL CHECK (length(description) <= 2000),
  spec jsonb NOT NULL,
  columns jsonb NOT NULL,
  base_columns jsonb NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ${s}.sql_datasets IS
  'Datasets the SQL tool may read (views in ${s}_data); written by registerDataset/removeDataset only.';
GRANT SELECT ON ${s}.sql_datasets TO ${appRole};

DROP VIEW ${s}_data.sales_view;
DROP POLICY sql_tool_tenant ON ${s}.sales;
REVOKE SELECT ON ${s}.sales FROM ${appRole}_readonly;
`,
};

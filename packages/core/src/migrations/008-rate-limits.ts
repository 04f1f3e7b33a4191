import type { MigrationContext } from "./types.js";

/**
 * Request counters for per-user and per-tenant rate limits. They live in the shared database so that every
 * stateless server replica enforces the same limit. Tenant-owned, under RLS like every other tenant table.
 */
export const rateLimitsMigration = {
  version: 8,
  name: "rate-limits",
  sql: ({ schema: s, appRole }: MigrationContext) => `
CREATE TABLE ${s}.rate_limit_counters (
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  key text NOT NULL CHECK (length(key) <= 300),
  window_start timestamptz NOT NULL,
  count integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, key, window_start)
);
CREATE INDEX rate_limit_counters_window ON ${s}.rate_limit_counters (window_start);
ALTER TABLE ${s}.rate_limit_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${s}.rate_limit_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${s}.rate_limit_counters
  USING (tenant_id = ${s}.current_tenant()) WITH CHECK (tenant_id = ${s}.current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.rate_limit_counters TO ${appRole};
`,
};

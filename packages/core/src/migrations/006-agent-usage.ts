import type { MigrationContext } from "./types.js";

/**
 * Agent token usage in `usage_records` (created by migration 002 for ingestion): one row per run, role and
 * model. The table had no place for the output tokens or for which run and thread spent them, so three
 * nullable/defaulted columns are added (existing rows and writers are unaffected). RLS is unchanged: the
 * table is already ENABLE + FORCE row-level secured per tenant.
 */
export const agentUsageMigration = {
  version: 6,
  name: "agent-usage",
  sql: ({ schema: s }: MigrationContext) => `
ALTER TABLE ${s}.usage_records
  ADD COLUMN output_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN run_id text CHECK (run_id IS NULL OR length(run_id) <= 200),
  ADD COLUMN thread_id text CHECK (thread_id IS NULL OR length(thread_id) <= 200);
CREATE INDEX usage_records_thread_idx ON ${s}.usage_records (tenant_id, thread_id) WHERE thread_id IS NOT NULL;
`,
};

import type { MigrationContext } from "./types.js";

/**
 * Durable agent checkpoints (LangGraph), owned by a tenant: one row per checkpoint and one per pending write,
 * keyed by (tenant_id, thread_id, checkpoint_ns, checkpoint_id). The same thread id in two tenants is two
 * threads, and row-level security (not a WHERE clause) confines every read and write to the transaction's
 * tenant. Payloads are the saver's serde output (type tag + bytes), opaque to SQL.
 */
export const checkpointsMigration = {
  version: 3,
  name: "checkpoints",
  sql: ({ schema: s, appRole }: MigrationContext) => `
CREATE TABLE ${s}.agent_checkpoints (
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  thread_id text NOT NULL CHECK (length(thread_id) BETWEEN 1 AND 300),
  checkpoint_ns text NOT NULL DEFAULT '',
  checkpoint_id text NOT NULL,
  parent_checkpoint_id text,
  checkpoint_type text NOT NULL,
  checkpoint bytea NOT NULL,
  metadata_type text NOT NULL,
  metadata bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, thread_id, checkpoint_ns, checkpoint_id)
);

-- No foreign key to agent_checkpoints: LangGraph may store a step's writes before the checkpoint row lands.
-- The tenants foreign key still ties every row to its own tenant (and deletes it with the tenant).
CREATE TABLE ${s}.agent_checkpoint_writes (
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  thread_id text NOT NULL,
  checkpoint_ns text NOT NULL DEFAULT '',
  checkpoint_id text NOT NULL,
  task_id text NOT NULL,
  idx integer NOT NULL,
  task_path text NOT NULL DEFAULT '',
  channel text NOT NULL,
  value_type text NOT NULL,
  value bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['agent_checkpoints', 'agent_checkpoint_writes'] LOOP
    EXECUTE format('ALTER TABLE ${s}.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE ${s}.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON ${s}.%I USING (tenant_id = ${s}.current_tenant()) WITH CHECK (tenant_id = ${s}.current_tenant())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.agent_checkpoints, ${s}.agent_checkpoint_writes TO ${appRole};
`,
};

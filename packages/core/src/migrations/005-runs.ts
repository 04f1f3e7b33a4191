import type { MigrationContext } from "./types.js";

/**
 * Agent runs and their persisted event logs (resumable streams without Redis). A run belongs to one tenant;
 * its events are numbered 1, 2, 3, … per run (`seq`), so a client that reconnects with `Last-Event-ID: n`
 * gets exactly the events after n. Keys include the tenant: a run id chosen by a client (AG-UI lets the
 * client pick it) can never collide with, or reveal, another tenant's run. Row-level security confines every
 * read and write to the transaction's tenant, like the other tenant tables.
 */
export const runsMigration = {
  version: 5,
  name: "runs",
  sql: ({ schema: s, appRole }: MigrationContext) => `
CREATE TABLE ${s}.agent_runs (
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  id text NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
  thread_id text NOT NULL CHECK (length(thread_id) BETWEEN 1 AND 128),
  kind text NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'resume', 'continue')),
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'completed', 'interrupted', 'failed', 'cancelled')),
  -- Set by a stop request; the replica that owns the run polls it and aborts (the run may live elsewhere).
  cancel_requested boolean NOT NULL DEFAULT false,
  background boolean NOT NULL DEFAULT false,
  started_by text,
  -- A short user-facing title (the start of the user's message), for thread lists.
  title text,
  owner text,
  last_seq bigint NOT NULL DEFAULT 0,
  error_code text,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX agent_runs_thread_idx ON ${s}.agent_runs (tenant_id, thread_id, created_at);
CREATE INDEX agent_runs_recent_idx ON ${s}.agent_runs (tenant_id, updated_at DESC);

CREATE TABLE ${s}.run_events (
  tenant_id text NOT NULL,
  run_id text NOT NULL,
  seq bigint NOT NULL CHECK (seq >= 1),
  type text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, run_id, seq),
  -- Composite key: an event can only belong to a run of its own tenant.
  FOREIGN KEY (tenant_id, run_id) REFERENCES ${s}.agent_runs (tenant_id, id) ON DELETE CASCADE
);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['agent_runs', 'run_events'] LOOP
    EXECUTE format('ALTER TABLE ${s}.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE ${s}.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON ${s}.%I USING (tenant_id = ${s}.current_tenant()) WITH CHECK (tenant_id = ${s}.current_tenant())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.agent_runs, ${s}.run_events TO ${appRole};
`,
};

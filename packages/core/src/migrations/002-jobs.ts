import type { MigrationContext } from "./types.js";

/**
 * Durable ingestion jobs, their progress events and usage records (tokens and cost per document and tenant).
 * Workers are not tenant-scoped: a separate NOLOGIN worker role may see and lease *jobs* of every tenant (and
 * nothing else); the work itself then runs in the job's tenant context as the app role, under RLS.
 */
export const jobsMigration = {
  version: 2,
  name: "jobs",
  sql: ({ schema: s, appRole }: MigrationContext) => `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${appRole}_worker') THEN
    CREATE ROLE ${appRole}_worker NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
GRANT ${appRole}_worker TO CURRENT_USER;
GRANT USAGE ON SCHEMA ${s} TO ${appRole}_worker;

CREATE TABLE ${s}.jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  kind text NOT NULL DEFAULT 'ingest',
  state text NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'parsing', 'chunking', 'embedding', 'indexing', 'done', 'failed', 'cancelled')),
  progress real NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  last_error text,
  error_code text,
  input jsonb NOT NULL DEFAULT '{}',
  payload bytea,
  document_id uuid,
  result jsonb,
  locked_by text,
  locked_until timestamptz,
  run_after timestamptz NOT NULL DEFAULT now(),
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  UNIQUE (tenant_id, id)
);
CREATE INDEX jobs_claim_idx ON ${s}.jobs (run_after, created_at) WHERE state NOT IN ('done', 'failed', 'cancelled');
CREATE INDEX jobs_tenant_idx ON ${s}.jobs (tenant_id, created_at DESC, id);

CREATE TABLE ${s}.job_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id uuid NOT NULL,
  tenant_id text NOT NULL,
  state text NOT NULL,
  progress real NOT NULL,
  message text,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Composite key: an event can only point at a job of its own tenant.
  FOREIGN KEY (tenant_id, job_id) REFERENCES ${s}.jobs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX job_events_job_idx ON ${s}.job_events (job_id, id);

CREATE TABLE ${s}.usage_records (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  document_id uuid,
  job_id uuid,
  kind text NOT NULL,
  model text NOT NULL,
  prompt_tokens bigint NOT NULL DEFAULT 0,
  total_tokens bigint NOT NULL DEFAULT 0,
  cost_usd numeric(14, 6) NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_records_tenant_idx ON ${s}.usage_records (tenant_id, created_at DESC);
CREATE INDEX usage_records_document_idx ON ${s}.usage_records (tenant_id, document_id);

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['jobs', 'job_events', 'usage_records'] LOOP
    EXECUTE format('ALTER TABLE ${s}.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE ${s}.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON ${s}.%I USING (tenant_id = ${s}.current_tenant()) WITH CHECK (tenant_id = ${s}.current_tenant())', t);
  END LOOP;
END $$;
-- The worker role sees every tenant's jobs (to lease them) and nothing else.
CREATE POLICY worker_lease ON ${s}.jobs TO ${appRole}_worker USING (true) WITH CHECK (true);
GRANT SELECT, UPDATE ON ${s}.jobs TO ${appRole}_worker;

GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.jobs TO ${appRole};
GRANT SELECT, INSERT ON ${s}.job_events, ${s}.usage_records TO ${appRole};
`,
};

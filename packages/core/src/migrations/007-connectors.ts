import type { MigrationContext } from "./types.js";

/**
 * Enterprise connectors (S3, SharePoint, directories, URL lists) and their version maps.
 *
 * - `connectors`: one row per configured source of a tenant. `config` holds no secret; credentials live only in
 *   `secret` (AES-256-GCM ciphertext, see connectors/crypto.ts) with the id of the key that sealed them, so a key
 *   rotation can find and re-encrypt rows still sealed with an old key. `state` is the resumable sync cursor.
 *   `sync_owner`/`sync_heartbeat` make a running sync exclusive (a crashed sync's claim expires).
 * - `connector_objects`: the version map, one row per remote object: its version (ETag, cTag, mtime+size…),
 *   the ingestion job and document it produced, its last error, and the sync run that last saw it (objects not
 *   seen by a completed full listing were deleted at the source).
 *
 * Syncs run in the caller's tenant context as the app role; the worker role never touches these tables.
 */
export const connectorsMigration = {
  version: 7,
  name: "connectors",
  sql: ({ schema: s, appRole }: MigrationContext) => `
CREATE TABLE ${s}.connectors (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('s3', 'sharepoint', 'dir', 'urls')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  config jsonb NOT NULL DEFAULT '{}',
  secret bytea,
  secret_key_id text,
  state jsonb NOT NULL DEFAULT '{}',
  last_sync_status text CHECK (last_sync_status IN ('running', 'succeeded', 'partial', 'failed', 'cancelled')),
  last_sync_error text,
  last_sync_summary jsonb,
  last_sync_at timestamptz,
  sync_owner text,
  sync_heartbeat timestamptz,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  CHECK ((secret IS NULL) = (secret_key_id IS NULL))
);
CREATE INDEX connectors_tenant_idx ON ${s}.connectors (tenant_id, created_at, id);
CREATE INDEX connectors_key_idx ON ${s}.connectors (secret_key_id) WHERE secret IS NOT NULL;

CREATE TABLE ${s}.connector_objects (
  tenant_id text NOT NULL,
  connector_id uuid NOT NULL,
  object_key text NOT NULL CHECK (length(object_key) BETWEEN 1 AND 2000),
  version text,
  size_bytes bigint,
  job_id uuid,
  document_id uuid,
  last_error text,
  error_code text,
  seen_run text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector_id, object_key),
  -- Composite key: an object row can only belong to a connector of its own tenant.
  FOREIGN KEY (tenant_id, connector_id) REFERENCES ${s}.connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX connector_objects_seen_idx ON ${s}.connector_objects (connector_id, seen_run);
CREATE INDEX connector_objects_job_idx ON ${s}.connector_objects (job_id) WHERE job_id IS NOT NULL;

DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['connectors', 'connector_objects'] LOOP
    EXECUTE format('ALTER TABLE ${s}.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE ${s}.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON ${s}.%I USING (tenant_id = ${s}.current_tenant()) WITH CHECK (tenant_id = ${s}.current_tenant())', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.connectors, ${s}.connector_objects TO ${appRole};
`,
};

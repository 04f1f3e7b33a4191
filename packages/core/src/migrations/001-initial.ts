import type { MigrationContext } from "./types.js";

/**
 * Tenants, documents, chunks (text, offsets, page, section, dense vector, lexical postings), per-tenant BM25
 * statistics and the audit log. Every tenant-owned table has ENABLE + FORCE row-level security keyed on
 * `current_tenant()`, which reads a transaction-local setting; the app role is a NOLOGIN, NOBYPASSRLS role.
 *
 * The vector column has no fixed dimension here: the store records its embedder's dimension and adds a
 * CHECK and an HNSW expression index for it (see store/dimension.ts), so this migration stays static.
 */
export const initialMigration = {
  version: 1,
  name: "initial",
  sql: ({ schema: s, appRole }: MigrationContext) => `
CREATE EXTENSION IF NOT EXISTS vector;

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${appRole}') THEN
    CREATE ROLE ${appRole} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
GRANT ${appRole} TO CURRENT_USER;
GRANT USAGE ON SCHEMA ${s} TO ${appRole};

CREATE FUNCTION ${s}.current_tenant() RETURNS text LANGUAGE sql STABLE AS
  $fn$ SELECT nullif(current_setting('ragkit.tenant_id', true), '') $fn$;
GRANT EXECUTE ON FUNCTION ${s}.current_tenant() TO ${appRole};

-- Store-wide settings (embedder, dimension, text search configuration). Owner only.
CREATE TABLE ${s}.store_meta (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ${s}.tenants (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$'),
  name text,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ${s}.documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  source text NOT NULL DEFAULT 'api',
  source_id text,
  source_url text,
  title text,
  mime_type text,
  content_hash text NOT NULL,
  status text NOT NULL DEFAULT 'ready'
    CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
  text text NOT NULL DEFAULT '',
  metadata jsonb NOT NULL DEFAULT '{}',
  chunk_count integer NOT NULL DEFAULT 0,
  token_count integer NOT NULL DEFAULT 0,
  uploaded_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
-- NULL source ids are distinct, so documents without one are deduplicated by content hash instead.
CREATE UNIQUE INDEX documents_source_key ON ${s}.documents (tenant_id, source, source_id);
CREATE INDEX documents_hash_idx ON ${s}.documents (tenant_id, content_hash);
CREATE INDEX documents_created_idx ON ${s}.documents (tenant_id, created_at DESC, id);

CREATE TABLE ${s}.chunks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL,
  document_id uuid NOT NULL,
  chunk_index integer NOT NULL CHECK (chunk_index >= 0),
  text text NOT NULL,
  start_offset integer NOT NULL CHECK (start_offset >= 0),
  end_offset integer NOT NULL,
  page_number integer CHECK (page_number IS NULL OR page_number >= 1),
  section_title text,
  metadata jsonb NOT NULL DEFAULT '{}',
  embedding vector,
  lexical_length integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_offset >= start_offset),
  UNIQUE (document_id, chunk_index),
  -- A chunk's tenant is its document's tenant, enforced by the database, not by the caller.
  FOREIGN KEY (tenant_id, document_id) REFERENCES ${s}.documents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX chunks_tenant_idx ON ${s}.chunks (tenant_id, document_id);
CREATE INDEX chunks_metadata_idx ON ${s}.chunks USING gin (metadata jsonb_path_ops);

-- Lexical postings: one row per (term, chunk) with the term frequency and the chunk's length, so BM25
-- is computed from postings alone. Terms come from to_tsvector() with the store's configuration.
-- No foreign key: a per-row FK check doubled bulk-load time; postings are written only together with their
-- chunk and removed by the chunks delete trigger below, in the same statement.
CREATE TABLE ${s}.chunk_terms (
  tenant_id text NOT NULL,
  term text NOT NULL,
  chunk_id uuid NOT NULL,
  tf integer NOT NULL CHECK (tf > 0),
  doc_length integer NOT NULL,
  PRIMARY KEY (tenant_id, term, chunk_id)
);
CREATE INDEX chunk_terms_chunk_idx ON ${s}.chunk_terms (chunk_id);

-- Per-tenant collection statistics (N, total length) kept exact by statement-level triggers; document
-- frequencies are counted from the postings at query time. Each tenant's BM25 uses only its own corpus,
-- so no statistic leaks across tenants.
CREATE TABLE ${s}.lexical_stats (
  tenant_id text PRIMARY KEY,
  chunk_count bigint NOT NULL DEFAULT 0,
  total_length bigint NOT NULL DEFAULT 0
);
CREATE FUNCTION ${s}.chunks_stats_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO ${s}.lexical_stats AS ls (tenant_id, chunk_count, total_length)
    SELECT tenant_id, count(*), sum(lexical_length) FROM new_rows GROUP BY tenant_id
  ON CONFLICT (tenant_id) DO UPDATE
    SET chunk_count = ls.chunk_count + excluded.chunk_count,
        total_length = ls.total_length + excluded.total_length;
  RETURN NULL;
END $fn$;
CREATE FUNCTION ${s}.chunks_stats_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM ${s}.chunk_terms WHERE chunk_id IN (SELECT id FROM old_rows);
  UPDATE ${s}.lexical_stats ls SET chunk_count = ls.chunk_count - d.n, total_length = ls.total_length - d.len
    FROM (SELECT tenant_id, count(*) AS n, sum(lexical_length) AS len FROM old_rows GROUP BY tenant_id) d
    WHERE ls.tenant_id = d.tenant_id;
  RETURN NULL;
END $fn$;
CREATE TRIGGER chunks_stats_insert AFTER INSERT ON ${s}.chunks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.chunks_stats_insert();
CREATE TRIGGER chunks_stats_delete AFTER DELETE ON ${s}.chunks
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.chunks_stats_delete();

CREATE TABLE ${s}.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES ${s}.tenants(id) ON DELETE CASCADE,
  user_id text,
  action text NOT NULL,
  resource_type text,
  resource_id text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'error')),
  request_id text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_idx ON ${s}.audit_log (tenant_id, created_at DESC, id DESC);

-- Row-level security: ENABLE + FORCE everywhere tenant data lives; policies read the transaction-local tenant.
DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['documents', 'chunks', 'chunk_terms', 'lexical_stats', 'audit_log'] LOOP
    EXECUTE format('ALTER TABLE ${s}.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE ${s}.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON ${s}.%I USING (tenant_id = ${s}.current_tenant()) WITH CHECK (tenant_id = ${s}.current_tenant())', t);
  END LOOP;
END $$;
ALTER TABLE ${s}.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${s}.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${s}.tenants USING (id = ${s}.current_tenant()) WITH CHECK (id = ${s}.current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.tenants, ${s}.documents, ${s}.chunks, ${s}.chunk_terms,
  ${s}.lexical_stats TO ${appRole};
-- The audit log is append-only for the application.
GRANT SELECT, INSERT ON ${s}.audit_log TO ${appRole};
GRANT SELECT ON ${s}.store_meta, ${s}.migrations TO ${appRole};
`,
};

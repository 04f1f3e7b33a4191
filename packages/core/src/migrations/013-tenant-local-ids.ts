import type { MigrationContext } from "./types.js";

/**
 * Ids a client sees are numbered per tenant (audit entries) or per job (job events), never from one sequence
 * shared by every tenant. With a shared sequence the gap between two of a tenant's consecutive audit ids (or
 * job-event ids, the SSE `id` / `Last-Event-ID` of a job stream) counted every other tenant's audited actions
 * or job progress in between: activity volume across the tenant boundary, found by the attack suite.
 *
 * `seq` is assigned by a BEFORE INSERT trigger under a transaction-scoped advisory lock per tenant (per job),
 * so concurrent writers of one tenant queue for a moment and commit in seq order — a reader polling
 * `seq > last` never skips a row that commits later with a smaller number. The internal identity `id` stays
 * the primary key but is no longer exposed. Backfill numbers the existing rows in their id order; FORCE
 * row-level security is lifted for those statements only, inside the migration's transaction (see 010).
 */
export const tenantLocalIdsMigration = {
  version: 13,
  name: "tenant-local-ids",
  sql: ({ schema: s }: MigrationContext) => `
ALTER TABLE ${s}.audit_log ADD COLUMN seq bigint;
ALTER TABLE ${s}.job_events ADD COLUMN seq bigint;
ALTER TABLE ${s}.audit_log NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ${s}.job_events NO FORCE ROW LEVEL SECURITY;
UPDATE ${s}.audit_log a SET seq = n.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS seq FROM ${s}.audit_log) n
 WHERE a.id = n.id;
UPDATE ${s}.job_events e SET seq = n.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY job_id ORDER BY id) AS seq FROM ${s}.job_events) n
 WHERE e.id = n.id;
ALTER TABLE ${s}.audit_log FORCE ROW LEVEL SECURITY;
ALTER TABLE ${s}.job_events FORCE ROW LEVEL SECURITY;
ALTER TABLE ${s}.audit_log ALTER COLUMN seq SET NOT NULL;
ALTER TABLE ${s}.job_events ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX audit_log_tenant_seq ON ${s}.audit_log (tenant_id, seq);
CREATE UNIQUE INDEX job_events_job_seq ON ${s}.job_events (job_id, seq);

-- Invoker's rights: the max() reads only rows the writer's own tenant context (row-level security) shows,
-- which are exactly the rows of its tenant (its job), so no role gains a read it did not have.
CREATE FUNCTION ${s}.audit_log_next_seq() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('${s}.audit_log'), hashtext(NEW.tenant_id));
  SELECT coalesce(max(seq), 0) + 1 INTO NEW.seq FROM ${s}.audit_log WHERE tenant_id = NEW.tenant_id;
  RETURN NEW;
END $fn$;
CREATE TRIGGER audit_log_seq BEFORE INSERT ON ${s}.audit_log FOR EACH ROW EXECUTE FUNCTION ${s}.audit_log_next_seq();

CREATE FUNCTION ${s}.job_events_next_seq() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('${s}.job_events'), hashtext(NEW.job_id::text));
  SELECT coalesce(max(seq), 0) + 1 INTO NEW.seq FROM ${s}.job_events WHERE job_id = NEW.job_id;
  RETURN NEW;
END $fn$;
CREATE TRIGGER job_events_seq BEFORE INSERT ON ${s}.job_events FOR EACH ROW EXECUTE FUNCTION ${s}.job_events_next_seq();
`,
};

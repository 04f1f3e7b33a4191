import type { MigrationContext } from "./types.js";

/**
 * At most one running run per thread, enforced by the database. Replicas check for a running run before they
 * start one, but two replicas checking at the same instant both saw none and both started (two answers
 * interleaving in one thread). A partial unique index makes the second INSERT fail instead; RunStore turns
 * that into `conflict` (HTTP 409), the same answer a replica gives when it sees the run.
 *
 * Threads that such a race already doubled keep their newest run; the older ones end as failed
 * (`superseded`). The owner runs this; FORCE row-level security would hide every tenant's rows from a
 * non-superuser owner, so it is lifted for this one statement inside the migration's transaction (the ALTER
 * holds an exclusive lock until commit: no other session ever sees the table without it).
 */
export const oneRunningRunMigration = {
  version: 10,
  name: "one-running-run-per-thread",
  sql: ({ schema: s }: MigrationContext) => `
ALTER TABLE ${s}.agent_runs NO FORCE ROW LEVEL SECURITY;
UPDATE ${s}.agent_runs r
   SET status = 'failed', error_code = 'superseded', finished_at = now(), updated_at = now(),
       error = 'Another run started on this thread at the same time.'
 WHERE r.status = 'running'
   AND EXISTS (SELECT 1 FROM ${s}.agent_runs n
               WHERE n.tenant_id = r.tenant_id AND n.thread_id = r.thread_id AND n.status = 'running'
                 AND (n.created_at, n.id) > (r.created_at, r.id));
ALTER TABLE ${s}.agent_runs FORCE ROW LEVEL SECURITY;
CREATE UNIQUE INDEX agent_runs_one_running ON ${s}.agent_runs (tenant_id, thread_id) WHERE status = 'running';
`,
};

import type { SqlDriver } from "../../db/driver.js";

/**
 * Keeps planner statistics of the views' base tables fresh, because the cost bounds trust the planner's row
 * estimates: without statistics Postgres guesses a handful of rows per table (a 5-way self-join of 72-row
 * tables is estimated at 243 rows instead of 1.9 billion). PGlite has no autovacuum, so nothing else would ever
 * ANALYZE there; on a server it also closes the window before autovacuum's next round. The rule is autovacuum's
 * own: analyze when more than 50 + 10% of the rows changed since the last ANALYZE (or never analyzed).
 * `SKIP_LOCKED` so concurrent tool calls never queue behind one another; a session that does not own the table
 * gets a warning from Postgres, not an error, and relies on autovacuum; tables in a schema it cannot use (a host's
 * own schema, registered as a dataset) are left to autovacuum too.
 */
export async function refreshStaleStatistics(
  driver: SqlDriver,
  relations: readonly string[],
): Promise<string[]> {
  if (relations.length === 0) return [];
  try {
    // Counters of this session reach pg_stat_* lazily; flush them so a fresh bulk load is seen.
    await driver.query("SELECT pg_stat_force_next_flush()");
  } catch {
    // Older servers: autovacuum's view is what we get.
  }
  const rows = await driver.query<{ name: string; reltuples: number; changed: number | string }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, c.reltuples,
            coalesce(s.n_mod_since_analyze, 0) AS changed
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE (n.nspname || '.' || c.relname) = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'm')
        AND has_schema_privilege(n.oid, 'USAGE')`,
    [relations],
  );
  const stale = rows.filter(
    (r) => r.reltuples < 0 || Number(r.changed) > 50 + 0.1 * Math.max(0, r.reltuples),
  );
  for (const r of stale) await driver.exec(`ANALYZE (SKIP_LOCKED) ${r.name}`);
  return stale.map((r) => r.name);
}

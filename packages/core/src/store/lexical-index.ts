import type { Queryable } from "../db/driver.js";
import { postingArrays } from "./documents.js";

/** Chunks re-analysed per statement while postings are rebuilt. */
const REBUILD_BATCH = 500;

/** Tenant tables whose lexical data a rebuild rewrites. */
const REBUILT_TABLES = ["documents", "chunks", "chunk_terms"] as const;

/** The analyzer that built a store's postings: releases before `lexicalAnalyzer` used `to_tsvector`. */
export function lexicalAnalyzerOf(settings: { lexicalAnalyzer?: string; textSearchConfig?: string }): string {
  return settings.lexicalAnalyzer ?? `postgres:${settings.textSearchConfig ?? "english"}`;
}

/**
 * Rebuilds every tenant's postings, chunk lengths, document token counts and BM25 length statistics with
 * the current analyzer (`LEXICAL_ANALYZER` in src/analysis) from the chunk text already stored: no re-chunking, no
 * re-embedding. Runs inside the owner's index-settings transaction, so readers see the old index or the
 * new one, never a mix. Chunk counts per tenant do not change, so `lexical_stats.chunk_count` stays.
 *
 * The owner reads and writes across tenants, which FORCE ROW LEVEL SECURITY denies even to a table's owner;
 * it is lifted for this transaction only and restored before commit (DDL is transactional and the
 * ACCESS EXCLUSIVE lock it takes keeps every other session out until then). The app roles are never table
 * owners, so their row-level security is not affected at any moment.
 */
export async function rebuildPostings(tx: Queryable, schema: string): Promise<void> {
  const rls = ["lexical_stats", ...REBUILT_TABLES];
  for (const t of rls) await tx.query(`ALTER TABLE ${schema}.${t} NO FORCE ROW LEVEL SECURITY`);
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const chunks = await tx.query<{ id: string; tenant_id: string; text: string }>(
      `SELECT id, tenant_id, text FROM ${schema}.chunks WHERE id > $1::uuid ORDER BY id LIMIT $2`,
      [after, REBUILD_BATCH],
    );
    if (chunks.length === 0) break;
    after = chunks.at(-1)!.id;
    const ids = chunks.map((c) => c.id);
    const postings = postingArrays(chunks.map((c, i) => ({ key: i, text: c.text })));
    await tx.query(`DELETE FROM ${schema}.chunk_terms WHERE chunk_id = ANY($1::uuid[])`, [ids]);
    await tx.query(
      `UPDATE ${schema}.chunks c SET lexical_length = u.len
       FROM unnest($1::uuid[], $2::int[]) AS u(id, len) WHERE c.id = u.id`,
      [ids, postings.lengths],
    );
    await tx.query(
      `INSERT INTO ${schema}.chunk_terms (tenant_id, term, chunk_id, tf, doc_length)
       SELECT (t.tenants)[p.k + 1], p.term, (t.ids)[p.k + 1], p.tf, (t.lens)[p.k + 1]
       FROM unnest($1::int[], $2::text[], $3::int[]) AS p(k, term, tf)
       CROSS JOIN (SELECT $4::text[] AS tenants, $5::uuid[] AS ids, $6::int[] AS lens) t`,
      [postings.keys, postings.terms, postings.tfs, chunks.map((c) => c.tenant_id), ids, postings.lengths],
    );
  }
  await tx.query(
    `UPDATE ${schema}.documents d SET token_count = s.total
     FROM (SELECT document_id, sum(lexical_length)::int AS total FROM ${schema}.chunks GROUP BY document_id) s
     WHERE d.id = s.document_id`,
  );
  await tx.query(
    `UPDATE ${schema}.lexical_stats ls SET total_length = coalesce(s.total, 0)
     FROM (SELECT ls2.tenant_id, (SELECT sum(c.lexical_length) FROM ${schema}.chunks c
                                   WHERE c.tenant_id = ls2.tenant_id) AS total
           FROM ${schema}.lexical_stats ls2) s
     WHERE ls.tenant_id = s.tenant_id`,
  );
  for (const t of rls) await tx.query(`ALTER TABLE ${schema}.${t} FORCE ROW LEVEL SECURITY`);
}

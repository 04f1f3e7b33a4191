import { termCounts } from "../analysis/index.js";
import type { Queryable } from "../db/driver.js";
import { filterClauses, needsDocumentJoin, Params, type ResultRow, resultColumns } from "./sql.js";
import type { ParsedSearchInput } from "./types.js";

export interface LexicalRow extends ResultRow {
  bm25: number;
  /**
   * The query's BM25 upper bound in this tenant, Σ qtf·idf·(k1 + 1) over its terms (df = 0 for a term no
   * chunk contains): what a chunk containing every query term infinitely often would score. `bm25 / bm25_max` ∈ [0, 1] is a score
   * that means the same for every query (the fraction of the query's evidence a chunk carries).
   */
  bm25_max: number;
}

export interface Bm25Params {
  k1: number;
  b: number;
}

/**
 * Okapi BM25 computed inside Postgres from the postings table and this tenant's own statistics:
 *   score(q, c) = Σ_t qtf(t) · idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·|c|/avgdl)),
 *   idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5))   (the non-negative Lucene variant).
 * Query terms come from the same analyzer as the postings (`termCounts`: shared tokenizer, stop words,
 * stemmer), with their query frequencies; a query without a single index term matches nothing.
 */
export async function lexicalSearch(
  tx: Queryable,
  schema: string,
  bm25: Bm25Params,
  input: ParsedSearchInput,
  limit: number,
): Promise<LexicalRow[]> {
  const analysed = termCounts(input.query);
  if (analysed.terms.length === 0) return [];
  const params = new Params();
  const terms = params.add(analysed.terms);
  const qtfs = params.add(analysed.counts);
  const k1 = params.add(bm25.k1);
  const b = params.add(bm25.b);
  const lim = params.add(limit);
  const filters = filterClauses(input, params);
  const filterJoin = filters.length
    ? `JOIN ${schema}.chunks c ON c.id = p.chunk_id ${needsDocumentJoin(input) ? `JOIN ${schema}.documents d ON d.id = c.document_id` : ""}`
    : "";
  const filterWhere = filters.length ? `AND ${filters.join(" AND ")}` : "";
  // df per query term is counted first (one row per term, so referencing it twice is free), and the postings
  // are then read once for scoring. Computing df with a window over the postings instead made the postings a
  // CTE referenced twice (scores and bound), which Postgres materialises: every posting of every query term
  // written to a tuplestore (spilling to disk past work_mem on a large tenant) before a single score.
  return tx.query<LexicalRow>(
    `WITH q AS (
       SELECT term, qtf::float8 AS qtf FROM unnest(${terms}::text[], ${qtfs}::int[]) AS q(term, qtf)
     ),
     st AS (
       SELECT chunk_count::float8 AS n, greatest(total_length::float8 / nullif(chunk_count, 0), 1) AS avgdl
       FROM ${schema}.lexical_stats WHERE tenant_id = ${schema}.current_tenant()
     ),
     -- A query term no chunk of this tenant contains still counts, with the largest idf (df = 0): a chunk
     -- that matches only the query's common words carries only a small share of its evidence.
     df AS (
       SELECT q.term, q.qtf,
              ln(1 + (st.n - d.df + 0.5) / (d.df + 0.5)) AS idf, d.df
       FROM q CROSS JOIN st
       CROSS JOIN LATERAL (
         SELECT count(*)::float8 AS df FROM ${schema}.chunk_terms ct
         WHERE ct.term = q.term AND ct.tenant_id = ${schema}.current_tenant()
       ) d
     ),
     bound AS (
       SELECT coalesce(sum(df.qtf * df.idf * (${k1}::float8 + 1)), 0) AS ub FROM df
     ),
     scored AS (
       SELECT p.chunk_id,
              sum(df.qtf * df.idf * p.tf * (${k1}::float8 + 1)
                  / (p.tf + ${k1}::float8 * (1 - ${b}::float8 + ${b}::float8 * p.doc_length / st.avgdl))) AS bm25
       FROM df
       JOIN ${schema}.chunk_terms p ON p.term = df.term AND p.tenant_id = ${schema}.current_tenant()
       ${filterJoin}
       CROSS JOIN st
       WHERE df.df > 0 ${filterWhere}
       GROUP BY p.chunk_id
       ORDER BY bm25 DESC, p.chunk_id
       LIMIT ${lim}
     )
     SELECT ${resultColumns}, scored.bm25::float8 AS bm25, bound.ub::float8 AS bm25_max
     FROM scored CROSS JOIN bound
     JOIN ${schema}.chunks c ON c.id = scored.chunk_id
     JOIN ${schema}.documents d ON d.id = c.document_id
     ORDER BY scored.bm25 DESC, c.id`,
    params.values,
  );
}

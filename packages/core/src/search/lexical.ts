import type { Queryable } from "../db/driver.js";
import { filterClauses, needsDocumentJoin, Params, type ResultRow, resultColumns } from "./sql.js";
import type { ParsedSearchInput } from "./types.js";

export interface LexicalRow extends ResultRow {
  bm25: number;
}

export interface Bm25Params {
  k1: number;
  b: number;
  textSearchConfig: string;
}

/**
 * Okapi BM25 computed inside Postgres from the postings table and this tenant's own statistics:
 *   score(q, c) = Σ_t qtf(t) · idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·|c|/avgdl)),
 *   idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5))   (the non-negative Lucene variant).
 * Query terms go through the same to_tsvector() as documents (stemming, stop words).
 */
export async function lexicalSearch(
  tx: Queryable,
  schema: string,
  bm25: Bm25Params,
  input: ParsedSearchInput,
  limit: number,
): Promise<LexicalRow[]> {
  const params = new Params();
  const cfg = params.add(bm25.textSearchConfig);
  const query = params.add(input.query);
  const k1 = params.add(bm25.k1);
  const b = params.add(bm25.b);
  const lim = params.add(limit);
  const filters = filterClauses(input, params);
  const filterJoin = filters.length
    ? `JOIN ${schema}.chunks c ON c.id = p.chunk_id ${needsDocumentJoin(input) ? `JOIN ${schema}.documents d ON d.id = c.document_id` : ""}`
    : "";
  const filterWhere = filters.length ? `AND ${filters.join(" AND ")}` : "";
  // df comes from the same postings scan (a window count per term), so no per-term statistics table has to
  // be maintained on every write.
  return tx.query<LexicalRow>(
    `WITH q AS (
       SELECT lexeme AS term, coalesce(array_length(positions, 1), 1)::float8 AS qtf
       FROM unnest(to_tsvector(${cfg}::regconfig, ${query}))
     ),
     st AS (
       SELECT chunk_count::float8 AS n, greatest(total_length::float8 / nullif(chunk_count, 0), 1) AS avgdl
       FROM ${schema}.lexical_stats WHERE tenant_id = ${schema}.current_tenant()
     ),
     postings AS (
       SELECT ct.chunk_id, ct.tf, ct.doc_length, q.qtf, count(*) OVER (PARTITION BY ct.term)::float8 AS df
       FROM q JOIN ${schema}.chunk_terms ct ON ct.term = q.term AND ct.tenant_id = ${schema}.current_tenant()
     ),
     scored AS (
       SELECT p.chunk_id,
              sum(p.qtf * ln(1 + (st.n - p.df + 0.5) / (p.df + 0.5)) * p.tf * (${k1}::float8 + 1)
                  / (p.tf + ${k1}::float8 * (1 - ${b}::float8 + ${b}::float8 * p.doc_length / st.avgdl))) AS bm25
       FROM postings p
       ${filterJoin}
       CROSS JOIN st
       WHERE true ${filterWhere}
       GROUP BY p.chunk_id
       ORDER BY bm25 DESC, p.chunk_id
       LIMIT ${lim}
     )
     SELECT ${resultColumns}, scored.bm25::float8 AS bm25
     FROM scored
     JOIN ${schema}.chunks c ON c.id = scored.chunk_id
     JOIN ${schema}.documents d ON d.id = c.document_id
     ORDER BY scored.bm25 DESC, c.id`,
    params.values,
  );
}

import type { Queryable } from "../db/driver.js";
import { indexVectorType } from "../store/dimension.js";
import {
  filterClauses,
  needsDocumentJoin,
  Params,
  type ResultRow,
  resultColumns,
  vectorLiteral,
} from "./sql.js";
import type { ParsedSearchInput } from "./types.js";

export interface DenseRow extends ResultRow {
  similarity: number;
}

/**
 * pgvector's scan settings for a top-`limit` search, to be applied transaction-locally before `denseSearch`
 * (the store applies them in the statement that enters the tenant). With a tenant filter (RLS), plain HNSW
 * returns too few rows for small tenants; the iterative scan keeps walking the graph until `limit` rows pass
 * the filter, bounded by `max_scan_tuples`.
 */
export function denseScanSettings(limit: number): Record<string, string> {
  return {
    "hnsw.iterative_scan": "relaxed_order",
    "hnsw.ef_search": String(Math.min(1000, Math.max(100, limit * 2))),
    "hnsw.max_scan_tuples": "200000",
  };
}

/**
 * Cosine top-k over the HNSW expression index; the transaction must carry `denseScanSettings(≥ limit)`.
 * `relaxed_order` may return rows slightly out of order, so the outer query re-sorts the materialised set.
 */
export async function denseSearch(
  tx: Queryable,
  schema: string,
  dimension: number,
  vector: readonly number[],
  input: ParsedSearchInput,
  limit: number,
): Promise<DenseRow[]> {
  const params = new Params();
  const v = params.add(vectorLiteral(vector));
  const lim = params.add(limit);
  const join = needsDocumentJoin(input) ? `JOIN ${schema}.documents d ON d.id = c.document_id` : "";
  const where = ["c.embedding IS NOT NULL", ...filterClauses(input, params)];
  const type = indexVectorType(dimension);
  const distance = `c.embedding::${type}(${dimension}) <=> ${v}::${type}(${dimension})`;
  const threshold =
    input.threshold === undefined ? "" : `WHERE 1 - cand.distance >= ${params.add(input.threshold)}`;
  return tx.query<DenseRow>(
    `WITH cand AS MATERIALIZED (
       SELECT c.id, ${distance} AS distance
       FROM ${schema}.chunks c ${join}
       WHERE ${where.join(" AND ")}
       ORDER BY ${distance}
       LIMIT ${lim}
     )
     SELECT ${resultColumns}, (1 - cand.distance)::float8 AS similarity
     FROM cand
     JOIN ${schema}.chunks c ON c.id = cand.id
     JOIN ${schema}.documents d ON d.id = c.document_id
     ${threshold}
     ORDER BY cand.distance, c.id
     LIMIT ${lim}`,
    params.values,
  );
}

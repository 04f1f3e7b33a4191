import type { KnowledgeStore } from "../../../store/knowledge-store.js";
import type { TenantContext } from "../../../tenant/context.js";
import { executeInReadOnlyScope, registeredViews } from "../execute.js";
import { loadDatasets } from "./registry.js";
import type { Dataset, DatasetColumn } from "./spec.js";

/** A column as one tenant sees it: with a few of its own distinct values. */
export interface DescribedColumn extends DatasetColumn {
  samples: unknown[];
}

/** A registered dataset as one tenant sees it (what the prompt and `GET /datasets` show). */
export interface DescribedDataset extends Omit<Dataset, "columns"> {
  columns: DescribedColumn[];
  /** The first rows of the tenant's data (`sampleRows` of them). */
  sampleRows: Record<string, unknown>[];
}

export interface DescribeOptions {
  /** Distinct values per dimension, time and attribute column. Default 5, at most 20; 0 = none. */
  sampleValues?: number;
  /** Rows shown per dataset. Default 3, at most 10; 0 = none. */
  sampleRows?: number;
}

const q = (identifier: string) => `"${identifier}"`;

/**
 * The registered datasets with per-tenant sample values, computed in the SQL tool's own read-only scope (so
 * under the same row-level security, fence and bounds as any model-written query: a tenant never sees another
 * tenant's values here either).
 */
export async function describeDatasets(
  store: KnowledgeStore,
  ctx: TenantContext,
  options: DescribeOptions = {},
): Promise<DescribedDataset[]> {
  const values = Math.min(Math.max(Math.trunc(options.sampleValues ?? 5), 0), 20);
  const rowsWanted = Math.min(Math.max(Math.trunc(options.sampleRows ?? 3), 0), 10);
  const datasets = await loadDatasets(store.driver, { schema: store.schema });
  const views = await registeredViews(store);
  const out: DescribedDataset[] = [];
  for (const d of datasets) {
    const sampled = values > 0 ? d.columns.filter((c) => c.role !== "measure" && c.role !== "key") : [];
    let samples: Record<string, unknown> = {};
    if (sampled.length > 0) {
      const parts = sampled.map(
        (c) =>
          `(SELECT array_agg(v) FROM (SELECT DISTINCT ${q(c.name)} AS v FROM ${q(d.name)} WHERE ${q(c.name)} IS NOT NULL ORDER BY 1 LIMIT ${values}) s) AS ${q(c.name)}`,
      );
      const [row] = await executeInReadOnlyScope(store, ctx, `SELECT ${parts.join(", ")}`, [], { views });
      samples = row ?? {};
    }
    const sampleRows =
      rowsWanted > 0
        ? await executeInReadOnlyScope(store, ctx, `SELECT * FROM ${q(d.name)} LIMIT ${rowsWanted}`, [], {
            views,
          })
        : [];
    out.push({
      ...d,
      columns: d.columns.map((c) => ({
        ...c,
        samples: Array.isArray(samples[c.name]) ? (samples[c.name] as unknown[]) : [],
      })),
      sampleRows,
    });
  }
  return out;
}

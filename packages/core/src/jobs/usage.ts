import type { KnowledgeStore } from "../store/knowledge-store.js";
import type { TenantContext } from "../tenant/context.js";

export interface UsageSummary {
  promptTokens: number;
  totalTokens: number;
  costUsd: number;
  documents: number;
  byModel: Array<{ model: string; kind: string; totalTokens: number; costUsd: number }>;
}

/** Token and cost totals for the tenant, or for one document, from the stored usage records. */
export async function getUsage(
  store: KnowledgeStore,
  ctx: TenantContext,
  options: { documentId?: string; since?: Date } = {},
): Promise<UsageSummary> {
  const where = `WHERE ($1::uuid IS NULL OR document_id = $1::uuid) AND ($2::timestamptz IS NULL OR created_at >= $2)`;
  const params = [options.documentId ?? null, options.since?.toISOString() ?? null];
  const [rows, docs] = await store.withTenant(ctx, async (tx) => [
    await tx.query<{ model: string; kind: string; prompt: string; total: string; cost: string }>(
      `SELECT model, kind, sum(prompt_tokens)::text AS prompt, sum(total_tokens)::text AS total, sum(cost_usd)::text AS cost
       FROM ${store.schema}.usage_records ${where} GROUP BY model, kind ORDER BY model, kind`,
      params,
    ),
    await tx.query<{ n: number }>(
      `SELECT count(DISTINCT document_id)::int AS n FROM ${store.schema}.usage_records ${where}`,
      params,
    ),
  ]);
  const byModel = rows.map((r) => ({
    model: r.model,
    kind: r.kind,
    totalTokens: Number(r.total),
    costUsd: Number(r.cost),
  }));
  return {
    promptTokens: rows.reduce((s, r) => s + Number(r.prompt), 0),
    totalTokens: byModel.reduce((s, r) => s + r.totalTokens, 0),
    costUsd: byModel.reduce((s, r) => s + r.costUsd, 0),
    documents: Number(docs[0]?.n ?? 0),
    byModel,
  };
}

import type { ModelUsage, RunUsage } from "@ragkit/protocol";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import type { TenantContext } from "../tenant/context.js";

// Run usage travels in `run_finished` events: defined in @ragkit/protocol.
export { type ModelUsage, modelUsageSchema, type RunUsage, runUsageSchema } from "@ragkit/protocol";

export function sumUsage(records: readonly ModelUsage[]): RunUsage {
  const byKey = new Map<string, ModelUsage>();
  for (const r of records) {
    const key = `${r.role}\u0000${r.model}`;
    const current = byKey.get(key);
    if (current) {
      current.inputTokens += r.inputTokens;
      current.outputTokens += r.outputTokens;
      current.totalTokens += r.totalTokens;
    } else byKey.set(key, { ...r });
  }
  const sum = (f: "inputTokens" | "outputTokens" | "totalTokens") => records.reduce((s, r) => s + r[f], 0);
  return {
    inputTokens: sum("inputTokens"),
    outputTokens: sum("outputTokens"),
    totalTokens: sum("totalTokens"),
    calls: records.length,
    byRole: [...byKey.values()],
  };
}

/**
 * Writes a run's usage to the tenant's `usage_records` (one row per role and model, kind `agent_<role>`), under
 * the tenant's row-level security like every other tenant write.
 */
export async function recordRunUsage(
  store: KnowledgeStore,
  tenant: TenantContext,
  usage: RunUsage,
  ids: { runId: string; threadId: string },
): Promise<void> {
  if (usage.byRole.length === 0) return;
  await store.withTenant(tenant, async (tx) => {
    for (const r of usage.byRole) {
      await tx.query(
        `INSERT INTO ${store.schema}.usage_records
           (tenant_id, kind, model, prompt_tokens, output_tokens, total_tokens, run_id, thread_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          tenant.tenantId,
          `agent_${r.role}`,
          r.model.slice(0, 200),
          r.inputTokens,
          r.outputTokens,
          r.totalTokens,
          ids.runId.slice(0, 200),
          ids.threadId.slice(0, 200),
        ],
      );
    }
  });
}

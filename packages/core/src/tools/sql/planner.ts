import { isRagKitError } from "../../errors/index.js";
import type { KnowledgeStore } from "../../store/knowledge-store.js";
import type { TenantContext } from "../../tenant/context.js";
import type { ReadOnlyQueryOptions } from "./execute.js";
import { nlToSql } from "./nl-to-sql.js";
import { type ProposeSqlOptions, proposeSql } from "./propose.js";

export type SqlPlan =
  | { sql: string; description: string; thoughts: string[] }
  | { sql: null; reason: string; thoughts: string[] };

export interface PlanSqlOptions extends ReadOnlyQueryOptions {
  /** A model that writes SQL (`models.writeSql` of `createLlmModels`); without one the offline translator plans. */
  writeSql?: ProposeSqlOptions["writeSql"] | undefined;
  signal?: AbortSignal | undefined;
  onUsage?: ProposeSqlOptions["onUsage"];
}

/**
 * A question as SQL over the tenant's registered datasets: written by the model when one is given (checked and
 * retried with the error, see proposeSql), else — or when the model fails to respond — by the offline
 * translator, which says when a question needs a model. The one planner of the agent's query step and of the
 * model-callable `query_database` tool.
 */
export async function planSql(
  store: KnowledgeStore,
  tenant: TenantContext,
  question: string,
  options: PlanSqlOptions = {},
): Promise<SqlPlan> {
  const thoughts: string[] = [];
  const { writeSql, signal, onUsage, ...limits } = options;
  if (writeSql) {
    const datasets = await store.describeDatasets(tenant);
    if (datasets.length === 0) return { sql: null, reason: "no dataset is registered", thoughts };
    try {
      const proposed = await proposeSql(store, tenant, {
        ...limits,
        question,
        datasets,
        writeSql,
        ...(onUsage ? { onUsage } : {}),
        ...(signal ? { signal } : {}),
      });
      for (const a of proposed.attempts)
        thoughts.push(`The model's SQL was refused (${a.code}): retrying with the error.`);
      if (!proposed.ok) return { sql: null, reason: proposed.reason, thoughts };
      thoughts.push("The model wrote the query.");
      return { sql: proposed.sql, description: proposed.description || "Query result", thoughts };
    } catch (error) {
      if (!isRagKitError(error) || error.code === "aborted") throw error;
      thoughts.push(`The SQL model failed (${error.message}): used the offline translator instead.`);
    }
  }
  const plan = nlToSql(question, await store.listRegisteredDatasets());
  if (plan.sql === null) return { sql: null, reason: plan.reason, thoughts };
  return { sql: plan.sql, description: plan.description, thoughts };
}

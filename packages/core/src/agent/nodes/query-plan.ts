import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { isRagKitError } from "../../errors/index.js";
import type { TenantContext } from "../../tenant/context.js";
import { nlToSql } from "../../tools/sql/nl-to-sql.js";
import { proposeSql } from "../../tools/sql/propose.js";
import type { ModelUsage } from "../usage.js";
import { callbacks, type GraphDeps } from "./common.js";

export type QueryPlan =
  | { sql: string; description: string; thoughts: string[]; usage: ModelUsage[] }
  | { sql: null; reason: string; thoughts: string[]; usage: ModelUsage[] };

/**
 * The question as SQL over the tenant's registered datasets: written by the model when one is configured
 * (`models.writeSql`, checked and retried with the error, see proposeSql), else — or when the model fails to
 * respond — by the offline translator, which says when a question needs a model.
 */
export async function planQuery(
  deps: GraphDeps,
  config: LangGraphRunnableConfig,
  tenant: TenantContext,
  question: string,
): Promise<QueryPlan> {
  const store = deps.sqlStore!;
  const calls = callbacks(config.signal);
  const thoughts: string[] = [];
  const writeSql = deps.models.writeSql;
  if (writeSql) {
    const datasets = await store.describeDatasets(tenant);
    if (datasets.length === 0) {
      return { sql: null, reason: "no dataset is registered", thoughts, usage: [] };
    }
    try {
      const proposed = await proposeSql(store, tenant, {
        ...deps.sqlLimits,
        question,
        datasets,
        writeSql: (input) => writeSql.call(deps.models, input),
        onUsage: calls.input.onUsage,
        ...(config.signal ? { signal: config.signal } : {}),
      });
      for (const a of proposed.attempts)
        thoughts.push(`The model's SQL was refused (${a.code}): retrying with the error.`);
      if (proposed.ok) {
        thoughts.push("The model wrote the query.");
        return {
          sql: proposed.sql,
          description: proposed.description || "Query result",
          thoughts,
          usage: calls.usage,
        };
      }
      return { sql: null, reason: proposed.reason, thoughts, usage: calls.usage };
    } catch (error) {
      if (!isRagKitError(error) || error.code === "aborted") throw error;
      thoughts.push(`The SQL model failed (${error.message}): used the offline translator instead.`);
    }
  }
  const plan = nlToSql(question, await store.listRegisteredDatasets());
  if (plan.sql === null) return { sql: null, reason: plan.reason, thoughts, usage: calls.usage };
  return { sql: plan.sql, description: plan.description, thoughts, usage: calls.usage };
}

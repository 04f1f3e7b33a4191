import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { TenantContext } from "../../tenant/context.js";
import { planSql, type SqlPlan } from "../../tools/sql/planner.js";
import type { ModelUsage } from "../usage.js";
import { callbacks, type GraphDeps } from "./common.js";

export type QueryPlan = SqlPlan & { usage: ModelUsage[] };

/** The query step's plan (see planSql), with the SQL model's token usage for the run's accounting. */
export async function planQuery(
  deps: GraphDeps,
  config: LangGraphRunnableConfig,
  tenant: TenantContext,
  question: string,
): Promise<QueryPlan> {
  const calls = callbacks(config.signal);
  const writeSql = deps.models.writeSql;
  const plan = await planSql(deps.sqlStore!, tenant, question, {
    ...deps.sqlLimits,
    writeSql: writeSql ? (input) => writeSql.call(deps.models, input) : undefined,
    onUsage: calls.input.onUsage,
    signal: config.signal,
  });
  return { ...plan, usage: calls.usage };
}

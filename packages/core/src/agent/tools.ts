import { randomUUID } from "node:crypto";
import { type ToolCall as LcToolCall, ToolMessage } from "@langchain/core/messages";
import { type StructuredToolInterface, tool } from "@langchain/core/tools";
import { z } from "zod";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { assertTenantContext, type TenantContext } from "../tenant/context.js";
import { CHART_TYPES } from "../tools/chart/schema.js";
import { createVisualization } from "../tools/chart/visualize.js";
import { type ReadOnlyQueryOptions, runReadOnlyQuery } from "../tools/sql/execute.js";
import { type PlanSqlOptions, planSql } from "../tools/sql/planner.js";
import { type ApprovalStep, requestApproval } from "./approval.js";
import { searchPassages } from "./nodes/retrieve.js";
import type { AgentStore } from "./options.js";
import type { Passage } from "./state.js";

/*
 * The tools a model may call. They are built per run with the run's TenantContext captured in a closure:
 * their argument schemas have no tenant field and are strict, so a model that adds `tenant_id` (or anything
 * else) gets a tool error back and never reaches another tenant's data.
 */

export const searchKnowledgeBaseArgs = z
  .object({
    query: z.string().trim().min(1).max(1000).describe("What to search the documents for."),
    top_k: z.number().int().min(1).max(20).default(5).describe("How many passages to return (1-20)."),
  })
  .strict();

export const queryDatabaseArgs = z
  .object({ question: z.string().trim().min(1).max(2000).describe("The data question, in plain words.") })
  .strict();

const cell = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
export const createVisualizationArgs = z
  .object({
    data: z
      .object({
        columns: z.array(z.string().max(200)).min(1).max(50),
        rows: z.array(z.record(z.string(), cell)).max(5000),
      })
      .strict()
      .describe("Tabular data: column names and one object per row."),
    chart_type: z.enum(CHART_TYPES).describe("The kind of chart."),
  })
  .strict();

export interface AgentToolsOptions {
  store: AgentStore;
  /** The run's tenant, from the verified context: never from model arguments. */
  tenant: TenantContext;
  /** Default `top_k` cap of search_knowledge_base. */
  topK?: number;
  signal?: AbortSignal | undefined;
  /** query_database runs only with a SQL-capable store (a KnowledgeStore). */
  sqlStore?: KnowledgeStore | null;
  sqlLimits?: ReadOnlyQueryOptions;
  /** With "query_database", the tool pauses for a person's approval (inside a graph node only). */
  approvals?: ReadonlySet<ApprovalStep>;
  /**
   * The model that writes query_database's SQL (e.g. `createLlmModels(...).writeSql`): each proposal is checked
   * (validator, plan fence, cost bounds) and retried with the error; without one, or when it fails to respond,
   * the offline translator plans — as in the agent's own query step.
   */
  writeSql?: PlanSqlOptions["writeSql"];
}

/** Numbered passages as the model sees them: "[n] (title) text". */
export function formatPassages(passages: readonly Passage[], firstMarker = 1): string {
  if (passages.length === 0) return "No matching passages.";
  return passages
    .map(
      (p, i) =>
        `[${firstMarker + i}] (${p.documentTitle ?? "untitled"}) ${p.text.replace(/\s+/g, " ").trim()}`,
    )
    .join("\n\n");
}

export function createAgentTools(options: AgentToolsOptions) {
  assertTenantContext(options.tenant);
  const tenant = options.tenant;
  const searchKnowledgeBase = tool(
    async ({ query, top_k }): Promise<[string, Passage[]]> => {
      const passages = await searchPassages(
        options.store,
        tenant,
        { variations: [query] },
        { topK: Math.min(top_k, 20), maxCandidates: Math.min(top_k, 20), signal: options.signal },
      );
      return [JSON.stringify(passages.map((p) => ({ title: p.documentTitle, text: p.text }))), passages];
    },
    {
      name: "search_knowledge_base",
      description:
        "Search this workspace's documents (hybrid keyword + semantic search). Returns the best passages.",
      schema: searchKnowledgeBaseArgs,
      responseFormat: "content_and_artifact",
    },
  );

  const queryDatabase = tool(
    async ({ question }) => {
      if (!options.sqlStore) return JSON.stringify({ error: "No database is available in this workspace." });
      const plan = await planSql(options.sqlStore, tenant, question, {
        ...options.sqlLimits,
        writeSql: options.writeSql,
        signal: options.signal,
      });
      if (plan.sql === null) return JSON.stringify({ error: plan.reason });
      let sql = plan.sql;
      if (options.approvals?.has("query_database")) {
        // Same interrupt as the query step: a person approves, edits or rejects the SQL.
        const decision = requestApproval({
          kind: "approval",
          tool: "query_database",
          args: { sql },
          reason: `Run this read-only query to answer "${question.slice(0, 200)}"?`,
        });
        if (decision.type === "reject") return JSON.stringify({ error: "The query was not approved." });
        if (decision.type === "edit") sql = (decision.args as { sql: string }).sql;
      }
      const result = await runReadOnlyQuery(options.sqlStore, tenant, sql, options.sqlLimits ?? {});
      return JSON.stringify({ sql, ...result }, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    },
    {
      name: "query_database",
      description: "Answer a question from this workspace's structured data with a read-only SQL query.",
      schema: queryDatabaseArgs,
    },
  );

  const createVisualizationTool = tool(
    async ({ data, chart_type }) => {
      const result = createVisualization({ data, chartType: chart_type });
      return JSON.stringify(result.ok ? result.spec : { error: result.error });
    },
    {
      name: "create_visualization",
      description: "Turn tabular data into a chart specification.",
      schema: createVisualizationArgs,
    },
  );

  return {
    searchKnowledgeBase,
    queryDatabase,
    createVisualization: createVisualizationTool,
    all: [searchKnowledgeBase, queryDatabase, createVisualizationTool] as StructuredToolInterface[],
  };
}

/** Runs one tool call of a model; invalid or unknown calls come back as an error message for the model. */
export async function runToolCall(
  tools: readonly StructuredToolInterface[],
  call: LcToolCall,
): Promise<ToolMessage> {
  const id = call.id ?? randomUUID();
  const error = (text: string) =>
    new ToolMessage({ content: `Error: ${text}`, tool_call_id: id, name: call.name, status: "error" });
  const target = tools.find((t) => t.name === call.name);
  if (!target)
    return error(`unknown tool "${call.name}". Available: ${tools.map((t) => t.name).join(", ")}.`);
  // Validated here (not only inside the tool) so the model gets a precise message and nothing runs.
  const parsed = (target.schema as z.ZodType).safeParse(call.args);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(args)"}: ${i.message}`).join("; ");
    return error(`invalid arguments for ${call.name}: ${issues}`);
  }
  const out: unknown = await target.invoke({ ...call, id, type: "tool_call" });
  return out instanceof ToolMessage
    ? out
    : new ToolMessage({ content: String(out), tool_call_id: id, name: call.name });
}

import { randomUUID } from "node:crypto";
import { AIMessage } from "@langchain/core/messages";
import type { ChartType } from "../../tools/chart/schema.js";
import { createVisualization } from "../../tools/chart/visualize.js";
import { type ReadOnlyQueryResult, runReadOnlyQuery } from "../../tools/sql/execute.js";
import { nlToSql } from "../../tools/sql/nl-to-sql.js";
import { requestApproval } from "../approval.js";
import type { ToolCall } from "../state.js";
import { type GraphDeps, lastUserMessage, step, tenantFromConfig, throwIfAborted, write } from "./common.js";

/** Data questions and chart requests: NL → read-only SQL (approved by a person by default) → table / chart. */
export function queryNode(deps: GraphDeps) {
  return step("query", async (state, config) => {
    const tenant = tenantFromConfig(config);
    const { message } = lastUserMessage(state.messages);
    const plan = nlToSql(message);
    if (plan.sql === null) {
      // Not a question the structured data answers ("how many days of leave do we get?" sounds like one):
      // the documents may. An empty answer routes on to retrieval (see routeAfterQuery).
      return {
        answer: "",
        answerKind: "none",
        thoughts: [
          `Not a question for the sales data (${plan.reason.split(";")[0]}): searching the documents instead.`,
        ],
      };
    }
    let sql = plan.sql;
    if (deps.approvals.has("query_database")) {
      // Nothing above this line has side effects: on resume the node re-runs from its start.
      const decision = requestApproval({
        kind: "approval",
        tool: "query_database",
        args: { sql },
        reason: `Run this read-only query to answer "${message.slice(0, 200)}"?`,
      });
      if (decision.type === "reject") {
        const text = `The database query was not approved${decision.reason ? `: ${decision.reason}` : "."}`;
        return { answer: text, answerKind: "none", messages: [new AIMessage(text)], thoughts: [text] };
      }
      if (decision.type === "edit") sql = (decision.args as { sql: string }).sql;
    }
    throwIfAborted(config);
    const result = await runReadOnlyQuery(deps.sqlStore!, tenant, sql, deps.sqlLimits);
    const toolCalls: ToolCall[] = [
      { id: randomUUID(), name: "query_database", args: { sql, question: message }, result },
    ];
    const thoughts = [
      `The query returned ${result.rowCount} row(s)${result.truncated ? " (truncated)" : ""}.`,
    ];
    if (state.analysis?.intent === "chart_request") {
      const chart = createVisualization({
        data: result,
        chartType: chartTypeFor(message),
        title: plan.description,
      });
      toolCalls.push({
        id: randomUUID(),
        name: "create_visualization",
        args: { chartType: chartTypeFor(message), title: plan.description },
        result: chart.ok ? chart.spec : { error: chart.error },
      });
      thoughts.push(chart.ok ? `Drew a ${chart.spec.type} chart.` : `No chart: ${chart.error.message}`);
    }
    const text = describeRows(plan.description, sql, result);
    for (const token of text.match(/\S+\s*/g) ?? [text]) write(config, { type: "text_delta", delta: token });
    return { answer: text, answerKind: "data", toolCalls, messages: [new AIMessage(text)], thoughts };
  });
}

/** Line charts for time series, pies for shares, bars otherwise (the user's words win). */
export function chartTypeFor(message: string): ChartType {
  const m = message.toLowerCase();
  for (const t of ["line", "bar", "pie", "area", "scatter"] as const) if (m.includes(t)) return t;
  if (/\b(share|proportion|split)\b/.test(m)) return "pie";
  return /\b(monthly|month|trend|over time|per month)\b/.test(m) ? "line" : "bar";
}

/** The data answer: what was computed, the first rows as a Markdown table, and the SQL that produced them. */
export function describeRows(description: string, sql: string, result: ReadOnlyQueryResult): string {
  if (result.rowCount === 0) return `${description}: the query returned no rows.\n\nQuery: \`${sql}\``;
  const shown = result.rows.slice(0, 20);
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "";
    // Dates as ISO (just the day when it is midnight UTC, as `date` columns are), not "Wed Jan 01 2025 …".
    if (v instanceof Date) return v.toISOString().replace(/T00:00:00\.000Z$/, "");
    return String(v);
  };
  const table = [
    `| ${result.columns.join(" | ")} |`,
    `| ${result.columns.map(() => "---").join(" | ")} |`,
    ...shown.map((row) => `| ${result.columns.map((c) => cell(row[c])).join(" | ")} |`),
  ].join("\n");
  const more =
    result.rowCount > shown.length || result.truncated
      ? `\n\n(${shown.length} of ${result.rowCount}${result.truncated ? "+" : ""} rows shown)`
      : "";
  return `${description}:\n\n${table}${more}\n\nQuery: \`${sql}\``;
}

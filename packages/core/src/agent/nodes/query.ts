import { randomUUID } from "node:crypto";
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ChartType } from "../../tools/chart/schema.js";
import { createVisualization } from "../../tools/chart/visualize.js";
import { type ReadOnlyQueryResult, runReadOnlyQuery } from "../../tools/sql/execute.js";
import { nlToSql } from "../../tools/sql/nl-to-sql.js";
import { newMessageId } from "../messages.js";
import type { RagAgentStateUpdate, ToolCall } from "../state.js";
import { approvalNoteUpdate } from "./approve.js";
import {
  type GraphDeps,
  lastUserMessage,
  step,
  tenantFromConfig,
  textWriter,
  throwIfAborted,
} from "./common.js";

/**
 * Data questions and chart requests: NL → read-only SQL (approved by a person by default, through the
 * `approve` node) → table / chart. The answer is one assistant message carrying the tool calls (their results
 * follow as tool messages), streamed word by word.
 */
export function queryNode(deps: GraphDeps) {
  return step("query", async (state, config) => {
    const tenant = tenantFromConfig(config);
    const approval = state.approval?.request.tool === "query_database" ? state.approval : null;
    const message = approval?.question ?? lastUserMessage(state.messages).message;
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
      if (!approval?.decision) {
        const request = {
          kind: "approval" as const,
          tool: "query_database",
          args: { sql },
          reason: `Run this read-only query to answer "${message.slice(0, 200)}"?`,
        };
        return {
          ...(await approvalNoteUpdate(deps, config, request, message)),
          thoughts: ["Waiting for approval."],
        };
      }
      const decision = approval.decision;
      if (decision.type === "reject") {
        const text = `The database query was not approved${decision.reason ? `: ${decision.reason}` : "."}`;
        return {
          ...(await answerMessage(deps, config, text, [])),
          answerKind: "none",
          approval: null,
          thoughts: [text],
        };
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
    // With a chart the text only says what it shows: the chart (and its data table) carries the numbers, and a
    // 20-row text table under it would repeat them.
    const charted = toolCalls.some(
      (c) => c.name === "create_visualization" && !(c.result as { error?: unknown })?.error,
    );
    const text = charted
      ? describeChart(plan.description, result)
      : describeRows(plan.description, sql, result);
    return {
      ...(await answerMessage(deps, config, text, toolCalls)),
      answerKind: "data",
      toolCalls,
      approval: null,
      thoughts,
    };
  });
}

/**
 * The data answer: streamed word by word, then stored as one assistant message that carries the tool calls
 * (so a client shows the table/chart with the text, not as extra empty messages), followed by their results.
 */
async function answerMessage(
  deps: GraphDeps,
  config: LangGraphRunnableConfig,
  text: string,
  toolCalls: readonly ToolCall[],
): Promise<Pick<RagAgentStateUpdate, "answer" | "messages">> {
  const id = newMessageId("answer");
  const writer = textWriter(config, deps, id, true);
  writer.text(text);
  await writer.drain();
  return {
    answer: text,
    messages: [
      new AIMessage({
        id,
        content: text,
        tool_calls: toolCalls.map((c) => ({
          id: c.id,
          name: c.name,
          args: c.args,
          type: "tool_call" as const,
        })),
      }),
      ...toolCalls.map(
        (c) =>
          new ToolMessage({
            id: newMessageId("tool"),
            tool_call_id: c.id,
            name: c.name,
            content: JSON.stringify(c.result ?? null, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
          }),
      ),
    ],
  };
}

/** Line charts for time series, pies for shares, bars otherwise (the user's words win). */
export function chartTypeFor(message: string): ChartType {
  const m = message.toLowerCase();
  for (const t of ["line", "bar", "pie", "area", "scatter"] as const) if (m.includes(t)) return t;
  if (/\b(share|proportion|split)\b/.test(m)) return "pie";
  return /\b(monthly|month|trend|over time|per month)\b/.test(m) ? "line" : "bar";
}

/** The data answer that comes with a chart: what it shows and from how many rows. */
export function describeChart(description: string, result: ReadOnlyQueryResult): string {
  const rows = `${result.rowCount}${result.truncated ? "+" : ""} row${result.rowCount === 1 ? "" : "s"}`;
  return `${description.replace(/\.$/, "")}: the chart shows the ${rows} the query returned.`;
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

import { randomUUID } from "node:crypto";
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { isRagKitError } from "../../errors/index.js";
import { chooseChart } from "../../tools/chart/choose.js";
import { createVisualization } from "../../tools/chart/visualize.js";
import { type ReadOnlyQueryResult, runReadOnlyQuery } from "../../tools/sql/execute.js";
import { newMessageId } from "../messages.js";
import type { RagAgentStateUpdate, ToolCall } from "../state.js";
import type { ModelUsage } from "../usage.js";
import { approvalNoteUpdate } from "./approve.js";
import {
  callbacks,
  type GraphDeps,
  lastUserMessage,
  step,
  tenantFromConfig,
  textWriter,
  throwIfAborted,
} from "./common.js";
import { planQuery } from "./query-plan.js";

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
    // Resuming an approval runs the SQL the card showed (or its edit), never a fresh proposal.
    const approved = approval ? (approval.request.args as { sql?: unknown; description?: unknown }) : null;
    const plan =
      approved && typeof approved.sql === "string"
        ? {
            sql: approved.sql,
            description: typeof approved.description === "string" ? approved.description : "Query result",
            thoughts: [],
            usage: [],
          }
        : await planQuery(deps, config, tenant, message);
    if (plan.sql === null) {
      // Not a question the structured data answers ("how many days of leave do we get?" sounds like one):
      // the documents may. An empty answer routes on to retrieval (see routeAfterQuery).
      return {
        answer: "",
        answerKind: "none",
        thoughts: [
          ...plan.thoughts,
          `Not a question for the registered data (${plan.reason.split(";")[0]}): searching the documents instead.`,
        ],
        usage: plan.usage,
      };
    }
    let sql = plan.sql;
    if (deps.approvals.has("query_database")) {
      if (!approval?.decision) {
        const request = {
          kind: "approval" as const,
          tool: "query_database",
          args: { sql, description: plan.description },
          reason: `Run this read-only query to answer "${message.slice(0, 200)}"?`,
        };
        return {
          ...(await approvalNoteUpdate(deps, config, request, message)),
          thoughts: [...plan.thoughts, "Waiting for approval."],
          usage: plan.usage,
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
    let charted = false;
    if (state.analysis?.intent === "chart_request") {
      const choice = chooseChart({ columns: result.columns, rows: result.rows, question: message });
      const chart = createVisualization({ data: result, ...choice, title: plan.description });
      toolCalls.push({
        id: randomUUID(),
        name: "create_visualization",
        args: { ...choice, title: plan.description },
        result: chart.ok ? chart.spec : { error: chart.error },
      });
      thoughts.push(chart.ok ? `Drew a ${chart.spec.type} chart.` : `No chart: ${chart.error.message}`);
      charted = chart.ok;
    }
    const summary = await summarize(deps, config, message, sql, result);
    // With a chart the offline text only says what it shows: the chart (and its data table) carries the
    // numbers, and a 20-row text table under it would repeat them.
    const text =
      summary.text ??
      (charted ? describeChart(plan.description, result) : describeRows(plan.description, sql, result));
    return {
      ...(await answerMessage(deps, config, text, toolCalls, summary.messageId)),
      answerKind: "data",
      toolCalls,
      approval: null,
      thoughts: [...plan.thoughts, ...thoughts, ...summary.thoughts],
      usage: [...plan.usage, ...summary.usage],
    };
  });
}

/**
 * With a model (`summarizeData`), the answer is its prose over the rows (streamed as it comes) plus the SQL; on
 * a model failure, or offline, the table of describeRows.
 */
async function summarize(
  deps: GraphDeps,
  config: LangGraphRunnableConfig,
  question: string,
  sql: string,
  result: ReadOnlyQueryResult,
): Promise<{ text: string | null; messageId: string | undefined; thoughts: string[]; usage: ModelUsage[] }> {
  const model = deps.models.summarizeData;
  if (!model) return { text: null, messageId: undefined, thoughts: [], usage: [] };
  const calls = callbacks(config.signal);
  const messageId = newMessageId("answer");
  const writer = textWriter(config, deps, messageId, false);
  try {
    const prose = await model.call(deps.models, {
      question,
      sql,
      columns: result.columns,
      rows: result.rows,
      truncated: result.truncated,
      onDelta: (delta) => writer.write(delta),
      ...calls.input,
    });
    await writer.drain();
    const tail = `\n\nQuery: \`${sql}\``;
    writer.write(tail);
    await writer.drain();
    return { text: `${prose}${tail}`, messageId, thoughts: ["Summarised the result."], usage: calls.usage };
  } catch (error) {
    if (!isRagKitError(error) || error.code === "aborted") throw error;
    return {
      text: null,
      messageId: undefined,
      thoughts: [`The summary model failed (${error.message}): showing the table instead.`],
      usage: calls.usage,
    };
  }
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
  /** Set when the text was already streamed under this id (a model's summary). */
  streamedAs?: string,
): Promise<Pick<RagAgentStateUpdate, "answer" | "messages">> {
  const id = streamedAs ?? newMessageId("answer");
  if (!streamedAs) {
    const writer = textWriter(config, deps, id, true);
    writer.text(text);
    await writer.drain();
  }
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

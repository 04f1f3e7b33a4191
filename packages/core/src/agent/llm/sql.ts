import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { DescribedDataset } from "../../tools/sql/datasets/describe.js";
import type { SummarizeDataInput, WriteSqlInput, WriteSqlOutput } from "../models.js";
import { callModel } from "./call.js";

/*
 * Model-written SQL for the `query` step. The model is given the tenant's registered datasets only (their
 * descriptions, typed columns, sample values and rows, relationships) and must call the `write_sql` tool: a
 * forced tool call is the structured output every provider here supports. Nothing the model writes is trusted:
 * the query node passes it through the validator, the plan fence and the cost bounds, and feeds any error back.
 */

const SYSTEM = `You write one read-only PostgreSQL SELECT statement that answers a question from a company's data.
Call the write_sql tool exactly once.
- Use only the tables and columns listed below, by their exact names. No other table, schema or system catalog.
- One SELECT (WITH is fine). Never INSERT, UPDATE, DELETE, DDL, several statements, or session functions.
- Rows are already limited to the user's own workspace: never filter by tenant.
- Prefer aggregates with clear column aliases; ORDER BY what a reader expects; LIMIT large listings.
- If the data cannot answer the question, call write_sql with sql set to "" and say why in cannot_answer.`;

export const writeSqlArgsSchema = z.object({
  sql: z.string().max(10_000),
  description: z.string().max(500).default(""),
  cannot_answer: z.string().max(500).optional(),
});

const WRITE_SQL_TOOL = {
  type: "function" as const,
  function: {
    name: "write_sql",
    description: "Propose the SELECT statement that answers the question.",
    parameters: {
      type: "object",
      properties: {
        sql: { type: "string", description: "One PostgreSQL SELECT statement, no trailing semicolon." },
        description: { type: "string", description: "What the result shows, in one short sentence." },
        cannot_answer: { type: "string", description: "Only when the data cannot answer: why." },
      },
      required: ["sql", "description"],
    },
  },
};

const cell = (v: unknown) => {
  if (v instanceof Date) return v.toISOString().replace(/T00:00:00\.000Z$/, "");
  return typeof v === "string" ? v.slice(0, 60) : String(v);
};

/** The schema as the prompt shows it: one block per dataset. */
export function schemaPrompt(datasets: readonly DescribedDataset[]): string {
  return datasets
    .map((d) => {
      const columns = d.columns
        .map((c) => {
          const samples = c.samples.length ? ` e.g. ${c.samples.map(cell).join(", ")}` : "";
          return `  - ${c.name} ${c.type}${c.description ? `: ${c.description}` : ""}${samples}`;
        })
        .join("\n");
      const joins = d.relationships
        .map((r) => `  - ${d.name}.${r.column} references ${r.references.dataset}.${r.references.column}`)
        .join("\n");
      const rows = d.sampleRows.length
        ? `\n Sample rows:\n${d.sampleRows.map((r) => `  ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)])))}`).join("\n")}`
        : "";
      return `Table ${d.name}: ${d.description}\n Columns:\n${columns}${joins ? `\n Relationships:\n${joins}` : ""}${rows}`;
    })
    .join("\n\n");
}

export function llmWriteSql(model: BaseChatModel) {
  const bound = model.bindTools!([WRITE_SQL_TOOL], { tool_choice: "write_sql" }) as unknown as Parameters<
    typeof callModel
  >[2]["bound"];
  return async (input: WriteSqlInput): Promise<WriteSqlOutput> => {
    const retries = input.attempts
      .map((a, i) => `Attempt ${i + 1}:\n${a.sql}\nfailed: ${a.error}`)
      .join("\n\n");
    const prompt =
      `Tables:\n\n${schemaPrompt(input.datasets)}\n\nQuestion: ${input.question}` +
      (retries ? `\n\nYour earlier SQL for this question was refused. Fix it.\n\n${retries}` : "");
    const result = await callModel(model, [new SystemMessage(SYSTEM), new HumanMessage(prompt)], {
      role: "sql",
      signal: input.signal,
      ...(bound ? { bound } : {}),
      ...(input.onUsage ? { onUsage: input.onUsage } : {}),
    });
    const call = result.toolCalls.find((c) => c.name === "write_sql");
    const parsed = writeSqlArgsSchema.safeParse(call?.args);
    if (!parsed.success) {
      // Treated like refused SQL: the query node retries with this as the error.
      return { sql: "", description: "" };
    }
    if (parsed.data.sql.trim() === "" && parsed.data.cannot_answer) {
      return { sql: null, reason: parsed.data.cannot_answer };
    }
    return { sql: parsed.data.sql, description: parsed.data.description };
  };
}

const SUMMARY_SYSTEM = `You report the result of a database query to the person who asked the question.
Answer in two to four sentences from the rows given, with the key numbers. Do not invent rows or numbers.
If the result is empty or truncated, say so.`;

export function llmSummarizeData(model: BaseChatModel) {
  return async (input: SummarizeDataInput): Promise<string> => {
    const rows = input.rows
      .slice(0, 50)
      .map((r) => JSON.stringify(Object.fromEntries(input.columns.map((c) => [c, cell(r[c])]))))
      .join("\n");
    const prompt =
      `Question: ${input.question}\nSQL: ${input.sql}\nColumns: ${input.columns.join(", ")}\n` +
      `Rows (${input.rows.length}${input.truncated ? ", truncated" : ""}):\n${rows || "(none)"}`;
    const result = await callModel(model, [new SystemMessage(SUMMARY_SYSTEM), new HumanMessage(prompt)], {
      role: "summarize",
      signal: input.signal,
      onToken: input.onDelta,
      ...(input.onUsage ? { onUsage: input.onUsage } : {}),
    });
    return result.text;
  };
}

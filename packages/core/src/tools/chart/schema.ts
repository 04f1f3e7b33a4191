import { MAX_CHART_SERIES } from "@ragkit/protocol";
import { z } from "zod";

// The chart spec is part of the wire protocol (the React package renders it): one definition, in @ragkit/protocol.
export {
  CHART_TYPES,
  type ChartCell,
  type ChartSeries,
  type ChartSpec,
  type ChartType,
  chartSeriesSchema,
  chartSpecSchema,
  MAX_CHART_POINTS,
  MAX_CHART_SERIES,
} from "@ragkit/protocol";

import { CHART_TYPES } from "@ragkit/protocol";

/** The arguments a model passes to the `create_visualization` tool; the rows come from the previous (SQL) step. */
export const visualizationArgsSchema = z
  .object({
    chartType: z
      .enum(CHART_TYPES)
      .describe(
        "The kind of chart: line/area for trends, bar for comparisons, pie for shares of a whole, scatter for correlations.",
      ),
    title: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("Chart title; inferred from the columns when omitted."),
    xKey: z
      .string()
      .min(1)
      .optional()
      .describe("Column for the x axis (or pie categories); default: the first non-numeric column."),
    yKeys: z
      .array(z.string().min(1))
      .min(1)
      .max(MAX_CHART_SERIES)
      .optional()
      .describe("Numeric columns to plot; default: every numeric column except the x column."),
    seriesKey: z
      .string()
      .min(1)
      .optional()
      .describe("Long-format data: the column whose values become separate series (e.g. region)."),
    description: z.string().max(2000).optional(),
    xLabel: z.string().max(200).optional(),
    yLabel: z.string().max(200).optional(),
    unit: z.string().max(40).optional().describe('Unit of the values, e.g. "EUR" or "%".'),
  })
  .strict();

export type VisualizationArgs = z.infer<typeof visualizationArgsSchema>;

export const CHART_TOOL_NAME = "create_visualization";

/** JSON Schema of the tool arguments, for model tool calling (OpenAI `parameters`, Anthropic `input_schema`). */
export function visualizationArgsJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(visualizationArgsSchema) as Record<string, unknown>;
  return schema;
}

/** An OpenAI-style function tool definition (also accepted by LangChain's `bindTools` for every provider). */
export function chartToolDefinition() {
  return {
    type: "function" as const,
    function: {
      name: CHART_TOOL_NAME,
      description:
        "Turn the rows of the last data query into a chart. Pick the chart type; columns are inferred unless given. " +
        "Long-format rows (e.g. month, region, revenue) are pivoted into one series per region.",
      parameters: visualizationArgsJsonSchema(),
    },
  };
}

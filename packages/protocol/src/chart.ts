import { z } from "zod";

/**
 * The chart spec the agent's `create_visualization` tool returns (mirrors `chartSpecSchema` in
 * packages/core/src/tools/chart/schema.ts, which validates what the model asked for). The React package
 * validates tool results with this copy before rendering, so a malformed spec shows an error instead of a blank chart.
 */

export const CHART_TYPES = ["line", "bar", "pie", "area", "scatter"] as const;
export type ChartType = (typeof CHART_TYPES)[number];

/** Charts carry at most this many data points (rows), so a spec stays small enough for a browser and a model. */
export const MAX_CHART_POINTS = 1000;
/** And at most this many series (lines / bar groups). */
export const MAX_CHART_SERIES = 20;

const cellSchema = z.union([z.string(), z.number(), z.null()], {
  error: "must be a string, a finite number or null",
});
export type ChartCell = z.infer<typeof cellSchema>;

const colorSchema = z
  .string()
  .regex(/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+|(rgb|rgba|hsl|hsla)\([0-9.,%\s]+\))$/, "must be a CSS color");

export const chartSeriesSchema = z
  .object({
    key: z.string().min(1),
    label: z.string().min(1).max(200),
    color: colorSchema.optional(),
  })
  .strict();

/**
 * A chart the UI can render without further processing: wide-format rows (`data`), the column that is the x axis
 * (`xKey`) and one entry per plotted numeric column (`series`). See docs/models.md#chart-spec.
 */
export const chartSpecSchema = z
  .object({
    type: z.enum(CHART_TYPES),
    title: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    xKey: z.string().min(1),
    series: z.array(chartSeriesSchema).min(1).max(MAX_CHART_SERIES),
    data: z
      .array(z.record(z.string(), cellSchema))
      .min(1, "must contain at least one point")
      .max(MAX_CHART_POINTS, `must contain at most ${MAX_CHART_POINTS} points`),
    xLabel: z.string().max(200).optional(),
    yLabel: z.string().max(200).optional(),
    unit: z.string().max(40).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const keys = new Set<string>();
    spec.series.forEach((series, i) => {
      if (series.key === spec.xKey) {
        ctx.addIssue({ code: "custom", path: ["series", i, "key"], message: `"${series.key}" is the x key` });
      }
      if (keys.has(series.key)) {
        ctx.addIssue({
          code: "custom",
          path: ["series", i, "key"],
          message: `duplicate series "${series.key}"`,
        });
      }
      keys.add(series.key);
    });
    if (spec.type === "pie" && spec.series.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["series"],
        message: `a pie chart has exactly one series (got ${spec.series.length})`,
      });
    }
    const missingX = spec.data.findIndex((row) => !(spec.xKey in row) || row[spec.xKey] === null);
    if (missingX >= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["data", missingX, spec.xKey],
        message: `x key "${spec.xKey}" is missing or null in this point`,
      });
    }
    if (spec.type === "scatter") {
      const bad = spec.data.findIndex((row) => typeof row[spec.xKey] !== "number");
      if (bad >= 0 && missingX < 0) {
        ctx.addIssue({
          code: "custom",
          path: ["data", bad, spec.xKey],
          message: "a scatter chart needs a numeric x value",
        });
      }
    }
    spec.series.forEach((series, i) => {
      if (!spec.data.some((row) => series.key in row)) {
        ctx.addIssue({
          code: "custom",
          path: ["series", i, "key"],
          message: `series key "${series.key}" does not occur in data`,
        });
        return;
      }
      const bad = spec.data.findIndex((row) => {
        const value = row[series.key];
        return value !== undefined && value !== null && typeof value !== "number";
      });
      if (bad >= 0) {
        ctx.addIssue({
          code: "custom",
          path: ["data", bad, series.key],
          message: `series "${series.key}" must have numeric (or null) values`,
        });
      }
      if (spec.type === "pie") {
        const negative = spec.data.findIndex((row) => {
          const value = row[series.key];
          return typeof value === "number" && value < 0;
        });
        if (negative >= 0) {
          ctx.addIssue({
            code: "custom",
            path: ["data", negative, series.key],
            message: "pie slices cannot be negative",
          });
        }
      }
    });
  });

export type ChartSpec = z.infer<typeof chartSpecSchema>;
export type ChartSeries = z.infer<typeof chartSeriesSchema>;

/** Name of the agent tool whose result is a `ChartSpec`. */
export const CHART_TOOL_NAME = "create_visualization";

import type { ChartType, VisualizationArgs } from "./schema.js";

/** What a chart is drawn from: the SQL tool's result (any dataset) and the question that asked for it. */
export interface ChooseChartInput {
  columns: readonly string[];
  rows: ReadonlyArray<Record<string, unknown>>;
  /** The user's words: an explicit chart type ("as a pie") wins; "share"/"split" ask for a pie. */
  question?: string;
}

const ISO_DATE = /^\d{4}-\d{2}(-\d{2})?([T ][\d:.]+(Z|[+-]\d{2}(:?\d{2})?)?)?$/;
const TIME_NAME = /(^|_)(month|year|date|day|week|quarter|time|period|at)$/;

function isNumeric(value: unknown): boolean {
  if (typeof value === "number" || typeof value === "bigint") return true;
  return typeof value === "string" && /^[-+]?(\d+\.?\d*|\.\d+)$/.test(value);
}

function kindOf(column: string, rows: ChooseChartInput["rows"]): "time" | "number" | "category" {
  const values = rows.map((r) => r[column]).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) return "category";
  if (values.every((v) => v instanceof Date || (typeof v === "string" && ISO_DATE.test(v)))) return "time";
  if (TIME_NAME.test(column) && values.every((v) => isNumeric(v) && Number(v) >= 1900 && Number(v) <= 2100)) {
    return "time";
  }
  return values.every(isNumeric) ? "number" : "category";
}

/**
 * Chooses the chart type and axes from the result's columns, whatever the dataset: a time column on x → line
 * (one series per category column, if any); one category → bar, or pie for a share of a whole with few slices;
 * only numbers → scatter of the first two. The user's explicit type wins when the columns allow it.
 */
export function chooseChart(
  input: ChooseChartInput,
): Pick<VisualizationArgs, "chartType" | "xKey" | "yKeys" | "seriesKey"> {
  const kinds = new Map(input.columns.map((c) => [c, kindOf(c, input.rows)] as const));
  const of = (k: string) => input.columns.filter((c) => kinds.get(c) === k);
  const time = of("time");
  const categories = of("category");
  const numbers = of("number");
  const words = (input.question ?? "").toLowerCase();
  const asked = (["line", "bar", "pie", "area", "scatter"] as const).find((t) =>
    new RegExp(`\\b${t}\\b`).test(words),
  );
  const wantsShare = /\b(share|proportion|split|breakdown)\b/.test(words);
  const yKeys = numbers.length ? numbers.slice(0, 8) : undefined;
  if (time.length > 0) {
    const chartType: ChartType = asked === "area" || asked === "bar" ? asked : "line";
    const seriesKey = categories[0];
    return {
      chartType,
      xKey: time[0]!,
      ...(yKeys ? { yKeys: yKeys.slice(0, seriesKey ? 1 : 8) } : {}),
      ...(seriesKey ? { seriesKey } : {}),
    };
  }
  if (categories.length > 0) {
    const pie = (asked === "pie" || (!asked && wantsShare)) && input.rows.length <= 12 && numbers.length >= 1;
    const chartType: ChartType = pie ? "pie" : asked === "line" || asked === "area" ? asked : "bar";
    const seriesKey = categories.length > 1 && !pie ? categories[1] : undefined;
    return {
      chartType,
      xKey: categories[0]!,
      ...(yKeys ? { yKeys: pie || seriesKey ? yKeys.slice(0, 1) : yKeys } : {}),
      ...(seriesKey ? { seriesKey } : {}),
    };
  }
  if (numbers.length >= 2) return { chartType: "scatter", xKey: numbers[0]!, yKeys: [numbers[1]!] };
  return { chartType: asked ?? "bar", ...(yKeys ? { yKeys } : {}) };
}

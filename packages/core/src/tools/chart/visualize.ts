import {
  type ChartCell,
  type ChartSpec,
  type ChartType,
  chartSpecSchema,
  MAX_CHART_POINTS,
  MAX_CHART_SERIES,
  type VisualizationArgs,
  visualizationArgsSchema,
} from "./schema.js";

/** Rows as the SQL tool returns them (`{ columns, rows }`), rows as arrays with `columns`, or plain records. */
export type TabularData =
  | ReadonlyArray<Record<string, unknown>>
  | { columns?: readonly string[]; rows: ReadonlyArray<Record<string, unknown> | readonly unknown[]> };

export interface CreateVisualizationInput extends Partial<Omit<VisualizationArgs, "chartType">> {
  data: TabularData;
  chartType: ChartType;
}

export type VisualizationErrorCode =
  | "invalid_input"
  | "no_data"
  | "unknown_column"
  | "no_numeric_column"
  | "ambiguous_series"
  | "duplicate_point"
  | "too_many_points"
  | "too_many_series"
  | "invalid_spec";

export interface VisualizationError {
  code: VisualizationErrorCode;
  /** One sentence, safe to show a model (so it can retry with other arguments) or a user. */
  message: string;
  details: Array<{ path: string; message: string }>;
}

export type VisualizationResult = { ok: true; spec: ChartSpec } | { ok: false; error: VisualizationError };

class Fail extends Error {
  constructor(
    readonly code: VisualizationErrorCode,
    message: string,
    readonly details: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

const NUMERIC_STRING = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** One cell to string | number | null; bigints and Postgres numerics (strings) stay as given here, coerced per column. */
function normalizeCell(value: unknown, path: string): ChartCell | bigint {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new Fail("invalid_input", `${path} is not a finite number (${value}).`);
    return value;
  }
  if (typeof value === "string" || typeof value === "bigint") return value;
  if (typeof value === "boolean") return String(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Fail("invalid_input", `${path} is an invalid date.`);
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  throw new Fail(
    "invalid_input",
    `${path} holds a ${Array.isArray(value) ? "list" : typeof value}; charts need scalar values.`,
  );
}

function toRows(data: TabularData): { columns: string[]; rows: Array<Record<string, ChartCell | bigint>> } {
  const source = Array.isArray(data) ? { rows: data as ReadonlyArray<Record<string, unknown>> } : data;
  if (typeof source !== "object" || source === null || !Array.isArray((source as { rows?: unknown }).rows)) {
    throw new Fail("invalid_input", "data must be an array of rows or { columns, rows }.");
  }
  const { rows: rawRows } = source as { rows: ReadonlyArray<unknown> };
  const given = "columns" in source && Array.isArray(source.columns) ? [...source.columns] : undefined;
  if (rawRows.length === 0)
    throw new Fail("no_data", "The query returned no rows: there is nothing to chart.");
  const columns: string[] = given ?? [];
  const seen = new Set(columns);
  const rows = rawRows.map((raw, r) => {
    const out: Record<string, ChartCell | bigint> = {};
    if (Array.isArray(raw)) {
      if (!given) throw new Fail("invalid_input", "Rows given as arrays need `columns`.");
      given.forEach((column, c) => {
        out[column] = normalizeCell(raw[c], `row ${r + 1}, column "${column}"`);
      });
    } else if (typeof raw === "object" && raw !== null) {
      for (const [column, value] of Object.entries(raw)) {
        out[column] = normalizeCell(value, `row ${r + 1}, column "${column}"`);
        if (!seen.has(column)) {
          seen.add(column);
          columns.push(column);
        }
      }
    } else {
      throw new Fail("invalid_input", `Row ${r + 1} is not an object.`);
    }
    return out;
  });
  return { columns, rows };
}

/** A column is numeric when every non-null value is a number, bigint or numeric string, and one is not null. */
function isNumericColumn(rows: ReadonlyArray<Record<string, ChartCell | bigint>>, column: string): boolean {
  let any = false;
  for (const row of rows) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    if (typeof value === "number" || typeof value === "bigint") any = true;
    else if (typeof value === "string" && NUMERIC_STRING.test(value.trim())) any = true;
    else return false;
  }
  return any;
}

function toNumber(value: ChartCell | bigint | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function toLabel(value: ChartCell | bigint | undefined): string | number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "bigint" ? Number(value) : value;
}

/** `total_revenue` → "Total revenue", `avgOrderValue` → "Avg order value". */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_\-.]+/g, " ")
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : key;
}

function requireColumn(columns: readonly string[], column: string, what: string): void {
  if (!columns.includes(column)) {
    throw new Fail(
      "unknown_column",
      `${what} "${column}" is not a column of the data (columns: ${columns.join(", ")}).`,
      [{ path: what, message: "unknown column" }],
    );
  }
}

function build(input: CreateVisualizationInput): ChartSpec {
  const { data: _rows, ...rest } = input;
  const args = visualizationArgsSchema.safeParse(rest);
  if (!args.success) {
    const details = args.error.issues.map((i) => ({
      path: i.path.map(String).join(".") || "(root)",
      message: i.message,
    }));
    throw new Fail(
      "invalid_input",
      `Invalid chart arguments: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
      details,
    );
  }
  const { chartType, title, xKey: givenX, yKeys: givenY, seriesKey: givenSeries, ...labels } = args.data;
  const { columns, rows } = toRows(input.data);
  const numeric = new Set(columns.filter((c) => isNumericColumn(rows, c)));

  if (givenX !== undefined) requireColumn(columns, givenX, "xKey");
  for (const y of givenY ?? []) {
    requireColumn(columns, y, "yKeys");
    if (!numeric.has(y))
      throw new Fail("no_numeric_column", `Column "${y}" is not numeric and cannot be plotted.`);
  }
  if (givenSeries !== undefined) requireColumn(columns, givenSeries, "seriesKey");

  const xKey =
    givenX ??
    (chartType === "scatter"
      ? columns.find((c) => numeric.has(c) && !givenY?.includes(c))
      : columns.find((c) => !numeric.has(c) && c !== givenSeries)) ??
    columns.find((c) => !givenY?.includes(c) && c !== givenSeries);
  if (xKey === undefined) throw new Fail("invalid_input", "No column is left for the x axis.");

  const categorical = columns.filter((c) => c !== xKey && !numeric.has(c));
  const valueKeys = givenY ?? columns.filter((c) => c !== xKey && numeric.has(c) && c !== givenSeries);
  if (valueKeys.length === 0) {
    throw new Fail("no_numeric_column", `The data has no numeric column to plot besides "${xKey}".`);
  }

  // Long format (x, category, value) → wide (x, one column per category).
  let seriesKey = givenSeries;
  if (seriesKey === undefined && givenY === undefined && chartType !== "scatter" && categorical.length > 0) {
    const xs = rows.map((row) => String(row[xKey]));
    const repeats = new Set(xs).size < xs.length;
    if (repeats) {
      if (categorical.length > 1) {
        throw new Fail(
          "ambiguous_series",
          `The x values repeat and several columns could split them into series (${categorical.join(", ")}); pass seriesKey.`,
        );
      }
      seriesKey = categorical[0];
    }
  }

  let data: Array<Record<string, ChartCell>>;
  let series: Array<{ key: string; label: string }>;
  if (seriesKey !== undefined) {
    if (chartType === "pie") {
      throw new Fail("invalid_input", "A pie chart has one series; it cannot be split by a series column.");
    }
    if (valueKeys.length !== 1) {
      throw new Fail(
        "invalid_input",
        `Pivoting by "${seriesKey}" needs exactly one value column (got ${valueKeys.join(", ")}); pass yKeys.`,
      );
    }
    const valueKey = valueKeys[0]!;
    const byX = new Map<string, Record<string, ChartCell>>();
    const names: string[] = [];
    for (const row of rows) {
      const x = toLabel(row[xKey]);
      const name = String(toLabel(row[seriesKey]) ?? "(none)");
      if (name === xKey)
        throw new Fail("invalid_input", `Series value "${name}" collides with the x column.`);
      if (!names.includes(name)) names.push(name);
      const id = String(x);
      let point = byX.get(id);
      if (!point) {
        point = { [xKey]: x };
        byX.set(id, point);
      }
      if (name in point) {
        throw new Fail(
          "duplicate_point",
          `Two rows have ${xKey} = ${id} and ${seriesKey} = ${name}; aggregate them in the query first.`,
        );
      }
      point[name] = toNumber(row[valueKey]);
    }
    if (names.length > MAX_CHART_SERIES) {
      throw new Fail(
        "too_many_series",
        `"${seriesKey}" has ${names.length} distinct values; a chart shows at most ${MAX_CHART_SERIES} series.`,
      );
    }
    data = [...byX.values()];
    series = names.map((name) => ({ key: name, label: name }));
    labels.yLabel ??= humanizeKey(valueKey);
  } else {
    if (valueKeys.length > MAX_CHART_SERIES) {
      throw new Fail(
        "too_many_series",
        `${valueKeys.length} numeric columns; pass at most ${MAX_CHART_SERIES} yKeys.`,
      );
    }
    const plotted = chartType === "pie" ? valueKeys.slice(0, 1) : valueKeys;
    if (chartType === "pie" && givenY !== undefined && givenY.length > 1) {
      throw new Fail("invalid_input", "A pie chart has exactly one series; pass one yKey.");
    }
    data = rows.map((row) => {
      const point: Record<string, ChartCell> = {
        [xKey]: chartType === "scatter" ? toNumber(row[xKey]) : toLabel(row[xKey]),
      };
      for (const key of plotted) point[key] = toNumber(row[key]);
      return point;
    });
    series = plotted.map((key) => ({ key, label: humanizeKey(key) }));
    if (plotted.length === 1) labels.yLabel ??= humanizeKey(plotted[0]!);
  }
  if (data.length > MAX_CHART_POINTS) {
    throw new Fail(
      "too_many_points",
      `${data.length} points; a chart holds at most ${MAX_CHART_POINTS}. Aggregate or filter the query.`,
    );
  }
  labels.xLabel ??= humanizeKey(xKey);
  const defaultTitle =
    seriesKey !== undefined
      ? `${humanizeKey(valueKeys[0]!)} by ${humanizeKey(xKey).toLowerCase()} and ${humanizeKey(seriesKey).toLowerCase()}`
      : `${series.map((s) => s.label).join(", ")} by ${humanizeKey(xKey).toLowerCase()}`;

  const candidate = { type: chartType, title: title ?? defaultTitle, xKey, series, data, ...labels };
  const parsed = chartSpecSchema.safeParse(candidate);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join(".") || "(root)",
      message: i.message,
    }));
    throw new Fail(
      "invalid_spec",
      `The chart is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
      details,
    );
  }
  return parsed.data;
}

/**
 * Builds a validated chart spec from tabular rows (e.g. the SQL tool's `{ columns, rows }`):
 * x = `xKey` or the first non-numeric column (first numeric one for scatter); series = `yKeys` or every other numeric
 * column; long-format rows (month, region, revenue) are pivoted into one series per region. Numeric strings
 * (Postgres `numeric`, `bigint`) become numbers, dates ISO strings. Never throws: failures come back as
 * `{ ok: false, error }` with a message a model can act on.
 */
export function createVisualization(input: CreateVisualizationInput): VisualizationResult {
  try {
    return { ok: true, spec: build(input) };
  } catch (error) {
    if (error instanceof Fail) {
      return { ok: false, error: { code: error.code, message: error.message, details: error.details } };
    }
    throw error;
  }
}

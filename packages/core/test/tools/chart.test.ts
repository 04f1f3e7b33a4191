import { describe, expect, it } from "vitest";
import {
  CHART_TOOL_NAME,
  CHART_TYPES,
  type ChartSpec,
  chartSpecSchema,
  chartToolDefinition,
  createVisualization,
  humanizeKey,
  type VisualizationResult,
  visualizationArgsJsonSchema,
} from "../../src/tools/chart/index.js";

function spec(result: VisualizationResult): ChartSpec {
  if (!result.ok) throw new Error(`expected a spec, got ${result.error.code}: ${result.error.message}`);
  return result.spec;
}

function failure(result: VisualizationResult) {
  if (result.ok) throw new Error("expected an error");
  return result.error;
}

// What the SQL tool returns: Postgres numeric/bigint arrive as strings.
const byRegion = {
  columns: ["region", "revenue", "orders"],
  rows: [
    { region: "EU", revenue: "1200.50", orders: "31" },
    { region: "US", revenue: "2400", orders: "52" },
    { region: "APAC", revenue: "800.25", orders: "17" },
  ],
  rowCount: 3,
  truncated: false,
};

const longFormat = [
  { month: "2026-01", region: "EU", revenue: 100 },
  { month: "2026-01", region: "US", revenue: 200 },
  { month: "2026-02", region: "EU", revenue: 110 },
  { month: "2026-02", region: "US", revenue: 190 },
  { month: "2026-03", region: "EU", revenue: 130 },
];

describe("createVisualization: inference", () => {
  it("infers x from the first text column and every numeric column as a series", () => {
    const chart = spec(createVisualization({ data: byRegion, chartType: "bar" }));
    expect(chart.xKey).toBe("region");
    expect(chart.series).toEqual([
      { key: "revenue", label: "Revenue" },
      { key: "orders", label: "Orders" },
    ]);
    expect(chart.data[0]).toEqual({ region: "EU", revenue: 1200.5, orders: 31 });
    expect(chart.title).toBe("Revenue, Orders by region");
    expect(chart.xLabel).toBe("Region");
  });

  it("honours xKey / yKeys / title / unit", () => {
    const chart = spec(
      createVisualization({
        data: byRegion,
        chartType: "bar",
        yKeys: ["revenue"],
        title: "Revenue",
        unit: "EUR",
      }),
    );
    expect(chart.series.map((s) => s.key)).toEqual(["revenue"]);
    expect(chart.data[1]).toEqual({ region: "US", revenue: 2400 });
    expect(chart).toMatchObject({ title: "Revenue", unit: "EUR", yLabel: "Revenue" });
  });

  it("accepts array rows with columns, dates and bigints", () => {
    const chart = spec(
      createVisualization({
        data: {
          columns: ["day", "signups"],
          rows: [
            [new Date("2026-01-01T00:00:00Z"), 5n],
            [new Date("2026-01-02T00:00:00Z"), 7n],
          ],
        },
        chartType: "line",
      }),
    );
    expect(chart.data).toEqual([
      { day: "2026-01-01", signups: 5 },
      { day: "2026-01-02", signups: 7 },
    ]);
  });

  it("humanizes keys", () => {
    expect(humanizeKey("total_revenue")).toBe("Total revenue");
    expect(humanizeKey("avgOrderValue")).toBe("Avg order value");
  });
});

describe("createVisualization: pivot", () => {
  it("pivots long-format rows into one series per category (a missing point is simply absent)", () => {
    const chart = spec(createVisualization({ data: longFormat, chartType: "line" }));
    expect(chart.xKey).toBe("month");
    expect(chart.series).toEqual([
      { key: "EU", label: "EU" },
      { key: "US", label: "US" },
    ]);
    expect(chart.data).toEqual([
      { month: "2026-01", EU: 100, US: 200 },
      { month: "2026-02", EU: 110, US: 190 },
      { month: "2026-03", EU: 130 },
    ]);
    expect(chart.title).toBe("Revenue by month and region");
    expect(chart.yLabel).toBe("Revenue");
  });

  it("pivots on an explicit seriesKey for bar charts", () => {
    const chart = spec(createVisualization({ data: longFormat, chartType: "bar", seriesKey: "region" }));
    expect(chart.series.map((s) => s.key)).toEqual(["EU", "US"]);
    expect(chart.data).toHaveLength(3);
  });

  it("refuses duplicate (x, series) pairs instead of silently summing", () => {
    const error = failure(createVisualization({ data: [...longFormat, longFormat[0]!], chartType: "line" }));
    expect(error.code).toBe("duplicate_point");
    expect(error.message).toContain("aggregate");
  });

  it("asks for seriesKey when the split is ambiguous", () => {
    const rows = longFormat.map((row) => ({ ...row, channel: "web" }));
    expect(failure(createVisualization({ data: rows, chartType: "line" })).code).toBe("ambiguous_series");
    const chart = spec(createVisualization({ data: rows, chartType: "line", seriesKey: "region" }));
    expect(chart.series.map((s) => s.key)).toEqual(["EU", "US"]);
  });
});

describe("createVisualization: each chart type", () => {
  it.each(CHART_TYPES.filter((t) => t !== "scatter"))("%s from region totals", (chartType) => {
    const chart = spec(
      createVisualization({
        data: byRegion,
        chartType,
        ...(chartType === "pie" ? { yKeys: ["revenue"] } : {}),
      }),
    );
    expect(chart.type).toBe(chartType);
    expect(chartSpecSchema.safeParse(chart).success).toBe(true);
  });

  it("pie keeps only the first numeric column when none is named", () => {
    const chart = spec(createVisualization({ data: byRegion, chartType: "pie" }));
    expect(chart.series).toEqual([{ key: "revenue", label: "Revenue" }]);
  });

  it("scatter uses a numeric x", () => {
    const chart = spec(
      createVisualization({
        data: [
          { price: 10, units: 100 },
          { price: 12, units: 90 },
        ],
        chartType: "scatter",
      }),
    );
    expect(chart).toMatchObject({ type: "scatter", xKey: "price", series: [{ key: "units" }] });
  });
});

describe("createVisualization: failures", () => {
  it.each([
    ["no rows", { data: [], chartType: "bar" }, "no_data"],
    ["unknown x column", { data: byRegion, chartType: "bar", xKey: "country" }, "unknown_column"],
    ["non-numeric y column", { data: byRegion, chartType: "bar", yKeys: ["region"] }, "no_numeric_column"],
    ["no numeric column", { data: [{ name: "a" }, { name: "b" }], chartType: "bar" }, "no_numeric_column"],
    [
      "pie with two yKeys",
      { data: byRegion, chartType: "pie", yKeys: ["revenue", "orders"] },
      "invalid_input",
    ],
    ["pie split by series", { data: longFormat, chartType: "pie", seriesKey: "region" }, "invalid_input"],
    [
      "infinite value",
      { data: [{ x: "a", y: Number.POSITIVE_INFINITY }], chartType: "bar" },
      "invalid_input",
    ],
    ["nested value", { data: [{ x: "a", y: { nested: 1 } }], chartType: "bar" }, "invalid_input"],
    ["unknown chart type", { data: byRegion, chartType: "donut" }, "invalid_input"],
    ["negative pie slice", { data: [{ x: "a", y: -1 }], chartType: "pie" }, "invalid_spec"],
  ])("%s → %s", (_name, input, code) => {
    const error = failure(createVisualization(input as Parameters<typeof createVisualization>[0]));
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it("limits points and series", () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ day: `d${i}`, value: i }));
    expect(failure(createVisualization({ data: many, chartType: "line" })).code).toBe("too_many_points");
    const wide = Array.from({ length: 25 }, (_, i) => ({
      month: i % 2 ? "Feb" : "Jan",
      region: `r${i}`,
      v: i,
    }));
    expect(failure(createVisualization({ data: wide, chartType: "bar" })).code).toBe("too_many_series");
  });
});

describe("chartSpecSchema", () => {
  const valid: ChartSpec = {
    type: "line",
    title: "Revenue",
    xKey: "month",
    series: [{ key: "revenue", label: "Revenue", color: "#3366ff" }],
    data: [
      { month: "Jan", revenue: 1 },
      { month: "Feb", revenue: null },
    ],
  };

  it("accepts a valid spec", () => {
    expect(chartSpecSchema.parse(valid)).toEqual(valid);
  });

  it.each([
    ["unknown series key", { series: [{ key: "profit", label: "Profit" }] }, "series.0.key"],
    ["x key missing", { xKey: "day" }, "data.0.day"],
    ["non-numeric series value", { data: [{ month: "Jan", revenue: "lots" }] }, "data.0.revenue"],
    ["NaN", { data: [{ month: "Jan", revenue: Number.NaN }] }, "data.0.revenue"],
    ["infinite number", { data: [{ month: "Jan", revenue: Number.POSITIVE_INFINITY }] }, "data.0.revenue"],
    [
      "pie with two series",
      {
        type: "pie",
        series: [
          { key: "revenue", label: "R" },
          { key: "cost", label: "C" },
        ],
        data: [{ month: "Jan", revenue: 1, cost: 1 }],
      },
      "series",
    ],
    ["too many points", { data: Array.from({ length: 1001 }, () => ({ month: "m", revenue: 1 })) }, "data"],
    ["bad color", { series: [{ key: "revenue", label: "R", color: "url(x)" }] }, "series.0.color"],
  ])("rejects %s", (_name, patch, path) => {
    const result = chartSpecSchema.safeParse({ ...valid, ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });
});

describe("tool definition", () => {
  it("exports the arguments as JSON Schema for tool calling", () => {
    const schema = visualizationArgsJsonSchema();
    expect(schema).toMatchObject({
      type: "object",
      properties: { chartType: { enum: [...CHART_TYPES] }, yKeys: { type: "array" } },
      required: ["chartType"],
      additionalProperties: false,
    });
    expect(schema).not.toHaveProperty("$schema");
    const tool = chartToolDefinition();
    expect(tool.function.name).toBe(CHART_TOOL_NAME);
    expect(JSON.parse(JSON.stringify(tool))).toEqual(tool);
  });
});

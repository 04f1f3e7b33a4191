import { describe, expect, it } from "vitest";
import { chooseChart } from "../../src/tools/chart/choose.js";
import { createVisualization } from "../../src/tools/chart/visualize.js";

/** chooseChart reads the result's columns, not a dataset's names: these results come from different datasets. */
describe("chooseChart", () => {
  const monthly = [
    { month: new Date("2025-01-01T00:00:00Z"), status: "shipped", n: "4" },
    { month: new Date("2025-01-01T00:00:00Z"), status: "pending", n: "2" },
    { month: new Date("2025-02-01T00:00:00Z"), status: "shipped", n: "5" },
    { month: new Date("2025-02-01T00:00:00Z"), status: "pending", n: "1" },
  ];

  it("puts a time column on x as a line, with a category as the series", () => {
    const choice = chooseChart({ columns: ["month", "status", "n"], rows: monthly });
    expect(choice).toEqual({ chartType: "line", xKey: "month", yKeys: ["n"], seriesKey: "status" });
    const chart = createVisualization({
      data: { columns: ["month", "status", "n"], rows: monthly },
      ...choice,
    });
    expect(chart.ok && chart.spec.series.map((s) => s.label ?? s.key).sort()).toEqual(["pending", "shipped"]);
  });

  it("treats a year number column as time, and ISO date strings too", () => {
    expect(
      chooseChart({
        columns: ["year", "total"],
        rows: [
          { year: 2024, total: 3 },
          { year: 2025, total: 4 },
        ],
      }),
    ).toMatchObject({ chartType: "line", xKey: "year" });
    expect(chooseChart({ columns: ["day", "v"], rows: [{ day: "2025-03-01", v: 1 }] })).toMatchObject({
      chartType: "line",
      xKey: "day",
    });
  });

  it("bars per category, a pie for shares with few slices, the user's type when it fits", () => {
    const rows = [
      { segment: "SMB", revenue: "120.50" },
      { segment: "Enterprise", revenue: "900.00" },
    ];
    expect(chooseChart({ columns: ["segment", "revenue"], rows })).toEqual({
      chartType: "bar",
      xKey: "segment",
      yKeys: ["revenue"],
    });
    expect(
      chooseChart({ columns: ["segment", "revenue"], rows, question: "revenue split by segment" }).chartType,
    ).toBe("pie");
    expect(chooseChart({ columns: ["segment", "revenue"], rows, question: "as a pie chart" }).chartType).toBe(
      "pie",
    );
    const many = Array.from({ length: 20 }, (_, i) => ({ segment: `s${i}`, revenue: i }));
    expect(
      chooseChart({ columns: ["segment", "revenue"], rows: many, question: "share by segment" }).chartType,
    ).toBe("bar");
  });

  it("scatters two numeric columns", () => {
    const rows = [
      { quantity: 1, amount: 10 },
      { quantity: 3, amount: 31 },
    ];
    expect(chooseChart({ columns: ["quantity", "amount"], rows })).toEqual({
      chartType: "scatter",
      xKey: "quantity",
      yKeys: ["amount"],
    });
  });
});

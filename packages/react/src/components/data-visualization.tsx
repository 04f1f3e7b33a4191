import { type ChartSpec, chartSpecSchema } from "@ragkit/protocol";
import { cloneElement, type ReactElement, useId, useMemo } from "react";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { type RagKitTheme, ThemeScope } from "../styles/theme.js";
import { axisFormatter, formatValue } from "./format.js";

/** Readable on white and on the dark theme's background (≥ 3:1 against both, for graphical objects). */
export const chartPalette = [
  "#2f6fde",
  "#d9480f",
  "#2b8a3e",
  "#9c36b5",
  "#c2255c",
  "#0b7285",
  "#a87100",
  "#5c7cfa",
];

export interface DataVisualizationLabels {
  showTable: string;
  invalid: string;
}

export const defaultDataVisualizationLabels: DataVisualizationLabels = {
  showTable: "Show the data as a table",
  invalid: "The chart could not be displayed:",
};

export interface DataVisualizationProps {
  /** A chart spec (validated here: the tool result arrives as untrusted JSON). */
  spec: unknown;
  /** Fixed width in px; default: the container's width (responsive). */
  width?: number;
  height?: number;
  /** Start with the data table open (it is always in the DOM for screen readers). */
  tableOpen?: boolean;
  labels?: Partial<DataVisualizationLabels>;
  theme?: RagKitTheme;
}

function color(spec: ChartSpec, i: number): string {
  return spec.series[i]?.color ?? chartPalette[i % chartPalette.length] ?? "#2f6fde";
}

function chartFor(spec: ChartSpec): ReactElement {
  const axes = [
    <CartesianGrid key="grid" strokeDasharray="3 3" strokeOpacity={0.4} />,
    <XAxis
      key="x"
      dataKey={spec.xKey}
      tickFormatter={axisFormatter(spec.data.map((row) => row[spec.xKey]))}
      type={spec.type === "scatter" ? "number" : "category"}
      {...(spec.xLabel ? { label: { value: spec.xLabel, position: "insideBottom", offset: -2 } } : {})}
    />,
    <YAxis
      key="y"
      {...(spec.unit ? { unit: ` ${spec.unit}` } : {})}
      {...(spec.yLabel ? { label: { value: spec.yLabel, angle: -90, position: "insideLeft" } } : {})}
    />,
    <Tooltip key="tip" />,
    <Legend key="legend" />,
  ];
  switch (spec.type) {
    case "line":
      return (
        <LineChart data={spec.data}>
          {axes}
          {spec.series.map((s, i) => (
            <Line
              key={s.key}
              type="monotone"
              dataKey={s.key}
              name={s.label}
              stroke={color(spec, i)}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      );
    case "area":
      return (
        <AreaChart data={spec.data}>
          {axes}
          {spec.series.map((s, i) => (
            <Area
              key={s.key}
              type="monotone"
              dataKey={s.key}
              name={s.label}
              stroke={color(spec, i)}
              fill={color(spec, i)}
              fillOpacity={0.25}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      );
    case "bar":
      return (
        <BarChart data={spec.data}>
          {axes}
          {spec.series.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} fill={color(spec, i)} isAnimationActive={false} />
          ))}
        </BarChart>
      );
    case "scatter":
      return (
        <ScatterChart>
          {axes}
          {spec.series.map((s, i) => (
            <Scatter
              key={s.key}
              name={s.label}
              data={spec.data.map((row) => ({ [spec.xKey]: row[spec.xKey], y: row[s.key] }))}
              dataKey="y"
              fill={color(spec, i)}
              isAnimationActive={false}
            />
          ))}
        </ScatterChart>
      );
    case "pie": {
      const series = spec.series[0];
      return (
        <PieChart>
          <Tooltip />
          <Legend />
          <Pie
            data={spec.data}
            dataKey={series?.key ?? ""}
            nameKey={spec.xKey}
            outerRadius="75%"
            label
            isAnimationActive={false}
          >
            {spec.data.map((row, i) => (
              <Cell key={String(row[spec.xKey])} fill={chartPalette[i % chartPalette.length]} />
            ))}
          </Pie>
        </PieChart>
      );
    }
  }
}

/**
 * Renders a `create_visualization` chart spec (line, bar, pie, area, scatter) with recharts, with the same data
 * as a table for screen readers and for copying numbers.
 */
export function DataVisualization(props: DataVisualizationProps) {
  const { width, height = 280, tableOpen = false, theme } = props;
  const labels = { ...defaultDataVisualizationLabels, ...props.labels };
  const parsed = useMemo(() => chartSpecSchema.safeParse(props.spec), [props.spec]);
  const titleId = useId();
  if (!parsed.success) {
    return (
      <ThemeScope theme={theme}>
        <div className="rk-card rk-bad" role="alert">
          {labels.invalid} {parsed.error.issues[0]?.message ?? "invalid chart"}
        </div>
      </ThemeScope>
    );
  }
  const spec = parsed.data;
  const chart = chartFor(spec);
  return (
    <ThemeScope theme={theme}>
      <figure className="rk-card rk-chart" aria-labelledby={titleId} data-chart-type={spec.type}>
        <figcaption id={titleId}>{spec.title}</figcaption>
        {spec.description ? <p className="rk-muted">{spec.description}</p> : null}
        {/* The SVG repeats the table's numbers; screen readers get the table instead. */}
        <div aria-hidden="true" style={{ width: "100%", height }}>
          {width ? (
            cloneElement(chart as ReactElement<{ width?: number; height?: number }>, { width, height })
          ) : (
            <ResponsiveContainer width="100%" height={height}>
              {chart}
            </ResponsiveContainer>
          )}
        </div>
        <details open={tableOpen}>
          <summary>{labels.showTable}</summary>
          <table className="rk-table">
            <caption className="rk-sr">{spec.title}</caption>
            <thead>
              <tr>
                <th scope="col">{spec.xLabel ?? spec.xKey}</th>
                {spec.series.map((s) => (
                  <th scope="col" key={s.key}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {spec.data.map((row, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id and never reorder
                <tr key={i}>
                  <th scope="row">{formatValue(row[spec.xKey])}</th>
                  {spec.series.map((s) => (
                    <td key={s.key}>{formatValue(row[s.key], spec.unit)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figure>
    </ThemeScope>
  );
}

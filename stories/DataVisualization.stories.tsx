import { DataVisualization } from "@ragkit/react";
import type { Meta, StoryObj } from "@storybook/react-vite";
import { areaChart, barChart, lineChart, pieChart, scatterChart } from "./support/data";

const meta = {
  title: "Generative UI/DataVisualization",
  component: DataVisualization,
  args: { spec: barChart, height: 260 },
} satisfies Meta<typeof DataVisualization>;
export default meta;
type Story = StoryObj<typeof meta>;

export const Bar: Story = {};
export const Line: Story = { args: { spec: lineChart } };
export const Pie: Story = { args: { spec: pieChart } };
export const Area: Story = { args: { spec: areaChart } };
export const Scatter: Story = { args: { spec: scatterChart } };
export const DataTableOpen: Story = { args: { tableOpen: true } };
export const InvalidSpec: Story = { args: { spec: { type: "donut", title: "?" } } };
export const Dark: Story = { args: { spec: lineChart, theme: "dark" }, parameters: { theme: "dark" } };
export const NarrowWidth: Story = { args: { spec: lineChart }, parameters: { width: 320 } };

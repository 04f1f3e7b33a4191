import { AgentStateDisplay } from "@ragkit/react";
import type { Meta, StoryObj } from "@storybook/react-vite";
import { finishedView, idleView, midRunView } from "./support/data";

const meta = {
  title: "Generative UI/AgentStateDisplay",
  component: AgentStateDisplay,
  args: { state: midRunView },
} satisfies Meta<typeof AgentStateDisplay>;
export default meta;
type Story = StoryObj<typeof meta>;

export const Idle: Story = { args: { state: idleView } };
export const Streaming: Story = {};
export const FoundDocuments: Story = {
  args: { state: { ...finishedView, progress: 0.85, step: "generate" } },
};
export const Dark: Story = { args: { theme: "dark" }, parameters: { theme: "dark" } };
export const NarrowWidth: Story = { parameters: { width: 320 } };

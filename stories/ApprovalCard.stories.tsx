import { ApprovalCard } from "@ragkit/react";
import type { Meta, StoryObj } from "@storybook/react-vite";
import { fn, userEvent, within } from "storybook/test";
import { interrupt } from "./support/data";

const meta = {
  title: "Generative UI/ApprovalCard",
  component: ApprovalCard,
  args: { interrupt, onDecision: fn() },
} satisfies Meta<typeof ApprovalCard>;
export default meta;
type Story = StoryObj<typeof meta>;

export const ApprovalPending: Story = {};
export const EditingArguments: Story = {
  play: async ({ canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole("button", { name: "Edit arguments" }));
  },
};
export const Approved: Story = { args: { decided: "approved" } };
export const Dark: Story = { args: { theme: "dark" }, parameters: { theme: "dark" } };
export const NarrowWidth: Story = { parameters: { width: 320 } };

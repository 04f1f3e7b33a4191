import { DocumentList } from "@ragkit/react";
import type { Meta, StoryObj } from "@storybook/react-vite";
import { within } from "storybook/test";
import { backend } from "./support/backend";
import { withClient } from "./support/client";

const meta = {
  title: "Documents/DocumentList",
  component: DocumentList,
  decorators: [withClient],
  parameters: backend(),
  args: { confirmRemove: () => true },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByRole("region", { name: "Documents" });
  },
} satisfies Meta<typeof DocumentList>;
export default meta;
type Story = StoryObj<typeof meta>;

export const List: Story = {
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText("Travel policy");
  },
};
export const Empty: Story = {
  parameters: backend({ documents: "empty" }),
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText("No documents yet.");
  },
};
export const LoadError: Story = {
  parameters: backend({ documents: "error" }),
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByRole("alert");
  },
};
export const Dark: Story = {
  parameters: { ...backend(), theme: "dark" },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText("Travel policy");
  },
};
export const NarrowWidth: Story = {
  parameters: { ...backend(), width: 340 },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText("Travel policy");
  },
};

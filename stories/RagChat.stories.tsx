import { RagChat, type RagChatProps, RagKitProvider, RagPopup, RagSidebar } from "@ragkit/react";
import type { Meta, StoryObj } from "@storybook/react-vite";
import { userEvent, within } from "storybook/test";
import { apiBase, backend } from "./support/backend";

function Chat(props: RagChatProps & { variant?: "inline" | "sidebar" | "popup" }) {
  const { variant = "inline", ...rest } = props;
  const Component = variant === "sidebar" ? RagSidebar : variant === "popup" ? RagPopup : RagChat;
  return (
    <RagKitProvider baseUrl={apiBase()} getToken={() => "storybook-token"} theme={props.theme ?? "light"}>
      <div style={{ height: 560 }}>
        <Component {...rest} />
      </div>
    </RagKitProvider>
  );
}

const meta = {
  title: "Chat/RagChat",
  component: Chat,
  parameters: { ...backend(), layout: "fullscreen" },
  args: {
    // A fresh thread per story render: nothing is restored from an earlier story.
    storageKey: null,
    welcomeText: "Ask anything about the company handbook.",
    suggestions: [
      { title: "Travel rules", message: "Tell me about economy flights and meals during travel." },
      { title: "Revenue chart", message: "Show total revenue by region as a bar chart" },
    ],
  },
} satisfies Meta<typeof Chat>;
export default meta;
type Story = StoryObj<typeof meta>;

const ask =
  (question: string) =>
  async ({ canvasElement }: { canvasElement: HTMLElement }) => {
    const canvas = within(canvasElement);
    const input = await canvas.findByRole("textbox", {}, { timeout: 5000 });
    await canvas.findByRole("note");
    await userEvent.type(input, `${question}{enter}`);
  };

export const Idle: Story = {};
export const Streaming: Story = {
  parameters: backend({ frameDelayMs: 120, scenario: "hang" }),
  play: ask("Tell me about economy flights and meals during travel."),
};
export const AnswerWithSources: Story = {
  play: async (ctx) => {
    await ask("Tell me about economy flights and meals during travel.")(ctx);
    await within(ctx.canvasElement).findByRole("region", { name: "Sources" }, { timeout: 10_000 });
  },
};
export const ChartAnswer: Story = {
  play: async (ctx) => {
    await ask("Show total revenue by region as a bar chart")(ctx);
    await within(ctx.canvasElement).findByRole("figure", {}, { timeout: 10_000 });
  },
};
export const ApprovalPending: Story = {
  play: async (ctx) => {
    await ask("Show monthly revenue by region as a line chart")(ctx);
    await within(ctx.canvasElement).findByRole("button", { name: "Approve" }, { timeout: 10_000 });
  },
};
export const RunError: Story = {
  parameters: backend({ scenario: "error" }),
  play: ask("Tell me about economy flights and meals during travel."),
};
export const Dark: Story = {
  args: { theme: "dark" },
  parameters: { ...backend(), layout: "fullscreen", theme: "dark" },
};
export const NarrowWidth: Story = { parameters: { ...backend(), layout: "fullscreen", width: 360 } };
export const Sidebar: Story = { args: { variant: "sidebar" } };
export const Popup: Story = { args: { variant: "popup" } };

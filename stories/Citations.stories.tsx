import { AnswerWithCitations, Citations } from "@ragkit/react";
import type { Meta, StoryObj } from "@storybook/react-vite";
import { expect, userEvent, within } from "storybook/test";
import { withClient } from "./support/client";
import { answer, citations, longAnswer, manyCitations, unsupported, validation } from "./support/data";

const meta = {
  title: "Generative UI/Citations",
  component: Citations,
  decorators: [withClient],
  args: { citations, validation },
} satisfies Meta<typeof Citations>;
export default meta;
type Story = StoryObj<typeof meta>;

export const Supported: Story = {};
export const ManyCitations: Story = { args: { citations: manyCitations } };
export const UnsupportedAnswer: Story = { args: { validation: unsupported } };
/** No citations and no verdict: renders nothing (no empty box in the chat). */
export const Empty: Story = {
  args: { citations: [], validation: null },
  parameters: { rendersNothing: true },
};
export const Dark: Story = { args: { theme: "dark" }, parameters: { theme: "dark" } };

/** Inline markers: focusing one fetches the document's text and highlights the cited span. */
export const InlineMarkerOpen: Story = {
  render: () => <AnswerWithCitations answer={answer} citations={citations} />,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.hover(canvas.getByRole("button", { name: "Citation 1" }));
    const tip = await canvas.findByRole("tooltip");
    await expect(
      await within(tip).findByText(/Economy class flights/, { selector: "mark" }, { timeout: 5000 }),
    ).toBeTruthy();
  },
};
export const LongAnswer: Story = {
  render: () => <AnswerWithCitations answer={longAnswer} citations={citations} />,
};
export const NarrowWidth: Story = { args: { citations: manyCitations }, parameters: { width: 320 } };

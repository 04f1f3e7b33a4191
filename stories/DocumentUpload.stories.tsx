import { DocumentUpload } from "@ragkit/react";
import type { Meta, StoryObj } from "@storybook/react-vite";
import { userEvent, within } from "storybook/test";
import { backend } from "./support/backend";
import { withClient } from "./support/client";

const meta = {
  title: "Documents/DocumentUpload",
  component: DocumentUpload,
  decorators: [withClient],
  parameters: backend(),
} satisfies Meta<typeof DocumentUpload>;
export default meta;
type Story = StoryObj<typeof meta>;

const files = () => [
  new File(["# Parental leave\n\nSixteen weeks."], "parental-leave.md", { type: "text/markdown" }),
  new File(["%PDF-1.7 encrypted"], "benefits-2026.pdf", { type: "application/pdf" }),
];

export const Empty: Story = {};
/** Two files: the first is ingested, the second fails while parsing (its error shows under its bar). */
export const UploadFinishedWithError: Story = {
  play: async ({ canvasElement }) => {
    const input = canvasElement.querySelector("input[type=file]") as HTMLInputElement;
    await userEvent.upload(input, files());
    await within(canvasElement).findByText(/encrypted/, {}, { timeout: 5000 });
  },
};
export const UploadInProgress: Story = {
  parameters: backend({ jobs: "slow" }),
  play: async ({ canvasElement }) => {
    const input = canvasElement.querySelector("input[type=file]") as HTMLInputElement;
    await userEvent.upload(input, files().slice(0, 1));
    await within(canvasElement).findAllByRole("progressbar");
  },
};
export const RejectedFile: Story = {
  play: async ({ canvasElement }) => {
    const input = canvasElement.querySelector("input[type=file]") as HTMLInputElement;
    await userEvent.upload(input, [new File(["MZ"], "setup.exe", { type: "application/octet-stream" })]);
    await within(canvasElement).findByRole("alert");
  },
};
export const Dark: Story = { parameters: { ...backend(), theme: "dark" } };

import {
  AgentStateDisplay,
  AnswerWithCitations,
  Citations,
  RagKitClient,
  useAgentState,
  useStreamingResponse,
} from "@ragkit/react";
import type { Meta, StoryObj } from "@storybook/react-vite";
import { useMemo, useState } from "react";
import { userEvent, within } from "storybook/test";
import { apiBase, backend } from "./support/backend";

/** The headless hooks (no CopilotKit) with the generative-UI components: plain SSE over POST /chat/stream. */
function HeadlessChat({ question }: { question: string }) {
  const client = useMemo(
    () => new RagKitClient({ baseUrl: apiBase(), getToken: () => "storybook-token" }),
    [],
  );
  const chat = useStreamingResponse({ client });
  const view = useAgentState(chat.state);
  const [text, setText] = useState(question);
  return (
    <div className="rk-root" style={{ maxWidth: 640 }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void chat.send(text);
        }}
        style={{ display: "flex", gap: 8 }}
      >
        <label htmlFor="q" style={{ position: "absolute", left: -9999 }}>
          Question
        </label>
        <input id="q" value={text} onChange={(e) => setText(e.target.value)} style={{ flex: 1 }} />
        <button type="submit" disabled={chat.streaming}>
          Ask
        </button>
        <button type="button" onClick={chat.abort} disabled={!chat.streaming}>
          Stop
        </button>
      </form>
      <p>
        Status: <strong data-testid="status">{chat.state.status}</strong>
      </p>
      {chat.state.status !== "idle" ? <AgentStateDisplay state={view} /> : null}
      {chat.state.answer ? (
        <AnswerWithCitations
          answer={chat.state.answer}
          citations={chat.state.citations}
          client={client}
          streaming={chat.streaming}
        />
      ) : null}
      {chat.state.status === "done" ? (
        <Citations citations={chat.state.citations} validation={chat.state.validation} client={client} />
      ) : null}
      {chat.error ? <p role="alert">{chat.error.message}</p> : null}
    </div>
  );
}

const meta = {
  title: "Headless/useStreamingResponse",
  component: HeadlessChat,
  parameters: backend({ frameDelayMs: 60 }),
  args: { question: "Tell me about economy flights and meals during travel." },
} satisfies Meta<typeof HeadlessChat>;
export default meta;
type Story = StoryObj<typeof meta>;

export const Idle: Story = {};
export const Answered: Story = {
  parameters: backend({ frameDelayMs: 0 }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole("button", { name: "Ask" }));
    await canvas.findByText("done", {}, { timeout: 10_000 });
  },
};
export const ServerError: Story = {
  parameters: backend({ scenario: "error" }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole("button", { name: "Ask" }));
    await canvas.findByRole("alert", {}, { timeout: 10_000 });
  },
};

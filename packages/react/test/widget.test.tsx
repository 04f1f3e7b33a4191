// CopilotKit's HttpAgent uses Node's fetch with its own AbortSignals: see dom-in-node.ts.
import "./dom-in-node.js";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createReplayHandler } from "../../../stories/mocks/replay.js";
import { RagChat, RagKitProvider } from "../src/index.js";
import { type Served, serveHandler } from "./http.js";

interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}
let served: Served;
const seen: Seen[] = [];

beforeAll(async () => {
  served = await serveHandler(
    createReplayHandler({
      onRequest: (request, body) =>
        seen.push({
          method: request.method,
          path: new URL(request.url).pathname,
          authorization: request.headers.get("authorization"),
          body,
        }),
    }),
  );
});
afterAll(async () => {
  await served?.close();
});
afterEach(() => {
  cleanup();
  seen.length = 0;
  localStorage.clear();
});

function send(text: string) {
  const input = screen.getByRole("textbox") as HTMLTextAreaElement;
  fireEvent.change(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: "Enter", code: "Enter" });
}

/** Renders the widget and waits until it is connected to its (new) thread and ready for input. */
async function mountChat(storageKey: string, getToken: () => string = () => "token-1") {
  render(
    <RagKitProvider baseUrl={`${served.url}/api/rag`} getToken={getToken}>
      <RagChat storageKey={storageKey} welcomeText="Ask the handbook" />
    </RagKitProvider>,
  );
  await screen.findByRole("note");
  await waitFor(() => expect(seen.some((r) => r.path.endsWith("/connect"))).toBe(true));
}

describe("<RagChat> on CopilotKit v2", () => {
  it("connects with the bearer token, streams an answer and shows its sources", async () => {
    render(
      <RagKitProvider baseUrl={`${served.url}/api/rag`} getToken={() => "token-1"}>
        <RagChat welcomeText="Ask the handbook" storageKey="t1" />
      </RagKitProvider>,
    );
    expect((await screen.findByRole("note")).textContent).toBe("Ask the handbook");
    await waitFor(() => expect(seen.some((r) => r.path.endsWith("/copilotkit/info"))).toBe(true));
    await waitFor(() => expect(localStorage.getItem("t1")).toMatch(/.+/));
    await act(async () => send("Tell me about economy flights and meals during travel."));
    const answer = await screen.findByTestId("copilot-assistant-message", {}, { timeout: 10_000 });
    const log = screen.getByRole("log", { name: "Conversation" });
    expect(log.getAttribute("aria-live")).toBe("polite");
    expect(log.contains(answer)).toBe(true);
    await waitFor(() =>
      expect(answer.textContent).toContain("Meals during travel are reimbursed up to forty euros per day."),
    );
    const run = seen.find((r) => r.path.endsWith("/copilotkit/agent/ragkit/run"));
    expect(run?.authorization).toBe("Bearer token-1");
    expect((run?.body as { threadId?: string } | undefined)?.threadId).toBe(localStorage.getItem("t1"));
    // After the run: the sources panel with the validation verdict.
    expect(await screen.findByRole("region", { name: "Sources" }, { timeout: 10_000 })).toBeTruthy();
    expect(screen.getAllByRole("button", { name: /Citation \d/ }).length).toBeGreaterThan(0);
  });

  it("renders the create_visualization result as a chart", async () => {
    await mountChat("t2");
    await act(async () => send("Show total revenue by region as a bar chart"));
    const figure = await screen.findByRole("figure", { name: /revenue by region/i }, { timeout: 10_000 });
    expect(figure.getAttribute("data-chart-type")).toBe("bar");
    expect(figure.querySelectorAll("tbody tr").length).toBe(3);
  });

  it("shows an approval card for an interrupt and resumes with the decision", async () => {
    await mountChat("t3");
    await act(async () => send("Show monthly revenue by region as a line chart"));
    const approve = await screen.findByRole("button", { name: "Approve" }, { timeout: 10_000 });
    expect(screen.getByText(/query_database/)).toBeTruthy();
    const before = seen.filter((r) => r.path.endsWith("/run")).length;
    await act(async () => fireEvent.click(approve));
    await waitFor(() => expect(seen.filter((r) => r.path.endsWith("/run")).length).toBe(before + 1), {
      timeout: 10_000,
    });
    const resumeBody = seen.filter((r) => r.path.endsWith("/run")).at(-1)?.body as Record<string, unknown>;
    expect(JSON.stringify(resumeBody.resume ?? resumeBody.forwardedProps)).toContain('"type":"approve"');
  });

  it("restores the remembered thread after a reload (connect with that thread id)", async () => {
    localStorage.setItem("t4", "thread-restored");
    render(
      <RagKitProvider baseUrl={`${served.url}/api/rag`} getToken={() => "token-1"}>
        <RagChat storageKey="t4" />
      </RagKitProvider>,
    );
    await waitFor(
      () => {
        const connect = seen.find((r) => r.path.endsWith("/copilotkit/agent/ragkit/connect"));
        expect((connect?.body as { threadId?: string } | undefined)?.threadId).toBe("thread-restored");
      },
      { timeout: 10_000 },
    );
  });

  it("sends a refreshed token once getToken returns a new one", async () => {
    let token = "old-token";
    await mountChat("t5", () => token);
    token = "new-token";
    await act(async () => {
      window.dispatchEvent(new window.Event("focus"));
      // One macrotask: the awaited getToken() settles inside act, which then flushes the re-render and effects.
      await new Promise((r) => setTimeout(r, 0));
    });
    await act(async () => send("Tell me about economy flights and meals during travel."));
    await waitFor(() => expect(seen.some((r) => r.path.endsWith("/run"))).toBe(true), { timeout: 10_000 });
    expect(seen.find((r) => r.path.endsWith("/run"))?.authorization).toBe("Bearer new-token");
  });
});

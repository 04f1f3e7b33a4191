// Hydrates server-rendered HTML in a DOM (see dom-in-node.ts) and checks React reports no mismatch.
import "./dom-in-node.js";
import { act } from "@testing-library/react";
import { hydrateRoot } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createReplayHandler } from "../../../stories/mocks/replay.js";
import { type Served, serveHandler } from "./http.js";
import { App } from "./ssr-app.js";

let served: Served;
beforeAll(async () => {
  served = await serveHandler(createReplayHandler());
});
afterAll(async () => {
  await served?.close();
});

describe("hydration", () => {
  it("hydrates the server HTML without mismatch warnings", async () => {
    const baseUrl = `${served.url}/api/rag`;
    const html = renderToString(<App baseUrl={baseUrl} />);
    const container = document.createElement("div");
    container.innerHTML = html;
    document.body.appendChild(container);
    const errors = vi.spyOn(console, "error");
    const recoverable: unknown[] = [];
    let root: ReturnType<typeof hydrateRoot> | undefined;
    await act(async () => {
      root = hydrateRoot(container, <App baseUrl={baseUrl} />, {
        onRecoverableError: (e) => recoverable.push(e),
      });
    });
    expect(recoverable).toEqual([]);
    expect(errors.mock.calls.filter((c) => /hydrat|did not match/i.test(String(c[0])))).toEqual([]);
    // After hydration the chat mounts in its (new, remembered) thread.
    await vi.waitFor(() => expect(container.querySelector("[data-copilotkit]")).not.toBeNull());
    act(() => root?.unmount());
  });
});

// useStreamingResponse failure paths against small real HTTP servers (see dom-in-node.ts for the environment).
import "./dom-in-node.js";
import { parseChatEvent } from "@ragkit/protocol";
import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { fixtures } from "../../../stories/mocks/replay.js";
import { applyChatEvent, initialRunState, RagKitClient, useStreamingResponse } from "../src/headless.js";
import { type Served, serveNode } from "./http.js";

const servers: Served[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const frame = (f: { id?: string | undefined; event?: string | undefined; data: string }) =>
  `${f.id ? `id: ${f.id}\n` : ""}${f.event ? `event: ${f.event}\n` : ""}data: ${f.data}\n\n`;

async function serveFrames(
  body: (path: string, lastEventId: string | null) => { status?: number; text: string },
) {
  const seen: string[] = [];
  const s = await serveNode((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers["last-event-id"] ?? "-"}`);
    const { status = 200, text } = body(
      req.url ?? "",
      (req.headers["last-event-id"] as string | undefined) ?? null,
    );
    res.writeHead(status, {
      "content-type": status === 200 ? "text/event-stream" : "application/json",
      "x-run-id": "run-1",
    });
    res.end(text);
  });
  servers.push(s);
  return { client: new RagKitClient({ baseUrl: `${s.url}/api` }), seen };
}

describe("applyChatEvent", () => {
  it("folds a recorded run and ignores replayed events it has already seen", () => {
    const events = fixtures.chat.answer.map((f) => parseChatEvent(f)).filter((e) => e !== null);
    const once = events.reduce(applyChatEvent, initialRunState);
    const twice = [...events, ...events.slice(5)].reduce(applyChatEvent, initialRunState);
    expect(twice).toEqual(once);
    expect(once.status).toBe("done");
    expect(once.answer).toContain("Economy class flights are reimbursed");
  });
});

describe("useStreamingResponse failures", () => {
  it("a malformed event (not a JSON object) ends the stream with invalid_response", async () => {
    for (const data of ['{"delta":', "5", "[]"]) {
      const { client } = await serveFrames(() => ({
        text:
          frame({ id: "1", event: "start", data: '{"runId":"r","threadId":"t"}' }) +
          frame({ id: "2", event: "token", data }),
      }));
      const { result } = renderHook(() => useStreamingResponse({ client }));
      await act(async () => {
        await result.current.send("hi");
      });
      expect(result.current.state.status, data).toBe("error");
      expect(result.current.error?.code, data).toBe("invalid_response");
    }
  });

  it("gives up after maxReconnects when the run's stream keeps ending early", async () => {
    const first = fixtures.chat.answer.slice(0, 3).map(frame).join("");
    const { client, seen } = await serveFrames((path) => ({ text: path.includes("/runs/") ? "" : first }));
    const { result } = renderHook(() =>
      useStreamingResponse({ client, maxReconnects: 2, reconnectDelayMs: 1 }),
    );
    await act(async () => {
      await result.current.send("hi");
    });
    expect(result.current.state.status).toBe("error");
    expect(result.current.error?.code).toBe("network_error");
    // One POST, then exactly two resumes from the last event seen (3).
    expect(seen.slice(1).map((s) => s.replace(/\/runs\/[^/]+/, "/runs/:id"))).toEqual([
      "GET /api/runs/:id/events 3",
      "GET /api/runs/:id/events 3",
    ]);
  });

  it("reports a server error event as the run's error (not a transport error)", async () => {
    const { client } = await serveFrames(() => ({
      text:
        frame({ id: "1", event: "start", data: '{"runId":"r","threadId":"t"}' }) +
        frame({ id: "2", event: "error", data: '{"code":"rate_limited","message":"Slow down."}' }),
    }));
    const { result } = renderHook(() => useStreamingResponse({ client }));
    await act(async () => {
      await result.current.send("hi");
    });
    expect(result.current.state).toMatchObject({
      status: "error",
      error: { code: "rate_limited", message: "Slow down." },
    });
    expect(result.current.error).toBeNull();
  });

  it("a JSON error before the stream is a typed RagKitClientError", async () => {
    const { client } = await serveFrames(() => ({
      status: 429,
      text: JSON.stringify({ error: { code: "rate_limited", message: "Too many.", requestId: "req-1" } }),
    }));
    const { result } = renderHook(() => useStreamingResponse({ client }));
    await act(async () => {
      await result.current.send("hi");
    });
    expect(result.current.error).toMatchObject({ code: "rate_limited", status: 429, requestId: "req-1" });
  });
});

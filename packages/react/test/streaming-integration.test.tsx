// The real server runs in this process; see dom-in-node.ts for why this is not the jsdom environment.
import "./dom-in-node.js";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RagKitClient, useStreamingResponse } from "../src/headless.js";
import { type Served, serveDroppingProxy, serveHandler } from "./http.js";
import { type Fixture, mint, openFixture } from "./support.js";

let f: Fixture;
let served: Served;
let token: string;

beforeAll(async () => {
  f = await openFixture();
  served = await serveHandler(f.handler);
  token = await mint("acme");
});

afterAll(async () => {
  await served?.close();
  await f?.store.close();
});

afterEach(cleanup);

const clientFor = (baseUrl: string) =>
  new RagKitClient({ baseUrl: `${baseUrl}/api/rag`, getToken: () => token });

describe("useStreamingResponse against the real server", () => {
  it("streams a run from start to done with the answer, citations and steps", async () => {
    const { result } = renderHook(() => useStreamingResponse({ client: clientFor(served.url) }));
    let final: Awaited<ReturnType<typeof result.current.send>> | undefined;
    await act(async () => {
      final = await result.current.send("Tell me about meals during travel.");
    });
    expect(final?.error ?? null, JSON.stringify(result.current.error)).toBeNull();
    expect(final?.status).toBe("done");
    expect(result.current.state.status).toBe("done");
    expect(result.current.state.answer.length).toBeGreaterThan(0);
    expect(result.current.state.runId).toMatch(/.+/);
    expect(result.current.state.threadId).toMatch(/.+/);
    expect(result.current.state.citations.length, JSON.stringify(result.current.state)).toBeGreaterThan(0);
    expect(result.current.state.citations[0]?.documentTitle).toBe("Expense guide");
    expect(result.current.state.lastEventId).toBeGreaterThan(3);
    expect(result.current.streaming).toBe(false);
    expect(result.current.error).toBeNull();
  });

  it("continues the same thread on the next message", async () => {
    const { result } = renderHook(() => useStreamingResponse({ client: clientFor(served.url) }));
    await act(async () => {
      await result.current.send("What about flights?");
    });
    const threadId = result.current.state.threadId;
    await act(async () => {
      await result.current.send("And laptops?");
    });
    expect(result.current.state.threadId).toBe(threadId);
    const thread = await clientFor(served.url).getThread(threadId ?? "");
    expect(thread.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual([
      "What about flights?",
      "And laptops?",
    ]);
  });

  it("reports a 401 without a token as a typed error", async () => {
    const client = new RagKitClient({ baseUrl: `${served.url}/api/rag` });
    const { result } = renderHook(() => useStreamingResponse({ client }));
    await act(async () => {
      await result.current.send("hi");
    });
    expect(result.current.state.status).toBe("error");
    expect(result.current.error?.code).toBe("unauthorized");
    expect(result.current.error?.status).toBe(401);
  });

  it("resumes after a dropped connection with Last-Event-ID and loses no token", async () => {
    // Reference answer from an uninterrupted run of the same question.
    const ref = renderHook(() => useStreamingResponse({ client: clientFor(served.url) }));
    await act(async () => {
      await ref.result.current.send("Tell me about economy flights.", { background: true });
    });
    const expected = ref.result.current.state.answer;

    const proxy = await serveDroppingProxy(served.url, (req) =>
      req.url?.endsWith("/chat/stream") ? 4 : null,
    );
    try {
      const { result } = renderHook(() =>
        useStreamingResponse({ client: clientFor(proxy.url), reconnectDelayMs: 10 }),
      );
      await act(async () => {
        await result.current.send("Tell me about economy flights.", { background: true });
      });
      expect(result.current.state.status, JSON.stringify([result.current.state, proxy.seen])).toBe("done");
      expect(result.current.state.answer).toBe(expected);
      const resumed = proxy.seen.filter((r) => r.path.includes("/runs/"));
      expect(resumed.length).toBeGreaterThanOrEqual(1);
      expect(Number(resumed[0]?.lastEventId)).toBeGreaterThan(0);
      expect(resumed[0]?.path).toBe(`/api/rag/runs/${result.current.state.runId}/events`);
      expect(proxy.seen.every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("abort() stops reading and marks the run aborted", async () => {
    const { result } = renderHook(() => useStreamingResponse({ client: clientFor(served.url) }));
    let pending: Promise<unknown> = Promise.resolve();
    act(() => {
      pending = result.current.send("Tell me about meals during travel.");
      result.current.abort();
    });
    await act(async () => {
      await pending;
    });
    await waitFor(() => expect(result.current.state.status).toBe("aborted"));
    expect(result.current.streaming).toBe(false);
    expect(result.current.error).toBeNull();
  });
});

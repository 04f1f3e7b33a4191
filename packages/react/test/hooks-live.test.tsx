// useJobs and useThreads against the real server on 127.0.0.1 (see dom-in-node.ts for the environment).
import "./dom-in-node.js";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RagKitClient, useJobs, useStreamingResponse, useThreads } from "../src/headless.js";
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
afterEach(() => {
  cleanup();
  localStorage.clear();
});

const clientFor = (url: string, t = () => token) =>
  new RagKitClient({ baseUrl: `${url}/api/rag`, getToken: t });
const file = (name: string, text: string) => new File([text], name, { type: "text/markdown" });

describe("useJobs", () => {
  it("uploads files and follows each job to done", async () => {
    const client = clientFor(served.url);
    const { result } = renderHook(() => useJobs({ client }));
    await act(async () => {
      await result.current.upload([
        file("a.md", "# A\n\nAlpha policy text."),
        file("b.md", "# B\n\nBeta policy text."),
      ]);
    });
    expect(result.current.jobs.map((j) => j.filename)).toEqual(["a.md", "b.md"]);
    await waitFor(() => expect(result.current.jobs.map((j) => j.state)).toEqual(["done", "done"]), {
      timeout: 30_000,
    });
    expect(result.current.jobs.every((j) => j.progress === 1 && j.jobId)).toBe(true);
    expect(result.current.active).toBe(false);
  });

  it("resumes a job's event stream with Last-Event-ID after a dropped connection", async () => {
    // The first events request is cut after two events; the reconnect must continue after the second.
    let cuts = 0;
    const proxy = await serveDroppingProxy(served.url, (req) =>
      req.url?.includes("/events") && cuts++ === 0 ? 2 : null,
    );
    try {
      const client = clientFor(proxy.url);
      const { result } = renderHook(() => useJobs({ client }));
      await act(async () => {
        await result.current.upload([file("c.md", "# C\n\nGamma policy text.")]);
      });
      await waitFor(() => expect(result.current.jobs[0]?.state).toBe("done"), { timeout: 30_000 });
      const streams = proxy.seen.filter((r) => r.path.includes("/events"));
      expect(streams.length).toBeGreaterThanOrEqual(2);
      expect(streams[0]?.lastEventId).toBeNull();
      expect(Number(streams[1]?.lastEventId)).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.close();
    }
  });

  it("marks every file of a rejected upload with its error", async () => {
    const client = clientFor(served.url);
    const { result } = renderHook(() => useJobs({ client }));
    await act(async () => {
      await result.current.upload([file("ok.md", "# ok"), new File([""], "empty.md")]);
    });
    expect(result.current.jobs.map((j) => j.state)).toEqual(["rejected", "rejected"]);
    expect(result.current.jobs[1]?.error).toBe("the file is empty");
    expect(result.current.jobs[0]?.error).toMatch(/empty/);
  });
});

describe("useThreads", () => {
  it("lists the caller's threads and restores the remembered one after a reload", async () => {
    const chatClient = clientFor(served.url);
    const chat = renderHook(() => useStreamingResponse({ client: chatClient }));
    await act(async () => {
      await chat.result.current.send("Tell me about laptops for new hires.");
    });
    const threadId = chat.result.current.state.threadId ?? "";
    // Clients are created once: hooks treat a new client as a new backend and reload.
    const client = clientFor(served.url);
    const first = renderHook(() => useThreads({ client, storageKey: "k" }));
    await waitFor(() => expect(first.result.current.threads.some((t) => t.threadId === threadId)).toBe(true));
    act(() => first.result.current.select(threadId));
    first.unmount();

    // "Reload": a new hook instance reads the selection back and loads the thread's messages.
    const second = renderHook(() => useThreads({ client, storageKey: "k" }));
    await waitFor(() => expect(second.result.current.selected?.threadId).toBe(threadId));
    expect(second.result.current.selected?.messages[0]).toMatchObject({
      role: "user",
      content: "Tell me about laptops for new hires.",
    });

    await act(async () => {
      await second.result.current.remove(threadId);
    });
    expect(second.result.current.selectedId).toBeNull();
    expect(localStorage.getItem("k")).toBeNull();
  });

  it("another tenant sees none of these threads", async () => {
    const other = await mint("globex");
    const client = clientFor(served.url, () => other);
    const { result } = renderHook(() => useThreads({ client, storageKey: null }));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.threads).toEqual([]);
  });

  it("autoStart picks a new thread id when nothing is remembered", async () => {
    const client = clientFor(served.url);
    const { result } = renderHook(() =>
      useThreads({ client, storageKey: "auto", autoStart: true, enabled: false }),
    );
    await waitFor(() => expect(result.current.selectedId).toMatch(/^[0-9a-f-]{36}$/));
    expect(localStorage.getItem("auto")).toBe(result.current.selectedId);
  });
});

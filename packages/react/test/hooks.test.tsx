// @vitest-environment jsdom
import type { DocumentSummary, SearchResult } from "@ragkit/protocol";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RagKitClient, RagKitClientError, useDocuments, useRagSearch } from "../src/headless.js";

afterEach(cleanup);

const result = (n: number, query = "q"): SearchResult => ({
  chunkId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  documentId: "11111111-1111-4111-8111-111111111111",
  documentTitle: `Doc ${n}`,
  source: "upload",
  sourceUrl: null,
  text: `${query} result ${n}`,
  chunkIndex: n,
  start: 0,
  end: 10,
  pageNumber: n + 1,
  sectionTitle: null,
  metadata: {},
  score: 1 / (n + 1),
  scores: { fused: 1 / (n + 1) },
});

const doc = (n: number): DocumentSummary => ({
  id: `22222222-2222-4222-8222-${String(n).padStart(12, "0")}`,
  title: `Document ${n}`,
  source: "upload",
  sourceId: null,
  sourceUrl: null,
  mimeType: "text/plain",
  contentHash: "sha256:0123456789",
  status: "ready",
  metadata: {},
  chunkCount: 1,
  tokenCount: 10,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
});

interface Pending {
  url: string;
  body: unknown;
  signal: AbortSignal | undefined;
  respond(response: Response): void;
}

/** A fetch whose responses the test releases one by one. */
function controlledFetch() {
  const pending: Pending[] = [];
  const fetch = (url: string, init: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      pending.push({
        url,
        body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
        signal,
        respond: resolve,
      });
    });
  return { fetch, pending };
}

function setup() {
  const { fetch, pending } = controlledFetch();
  const client = new RagKitClient({ baseUrl: "http://x.test", fetch, getToken: () => "token" });
  return { client, pending };
}

describe("useRagSearch", () => {
  it("goes idle → loading → success", async () => {
    const { client, pending } = setup();
    const { result: hook } = renderHook(() => useRagSearch({ client, params: { mode: "lexical" } }));
    expect(hook.current).toMatchObject({
      status: "idle",
      loading: false,
      results: [],
      error: null,
      query: null,
    });

    let done: Promise<unknown> = Promise.resolve();
    act(() => {
      done = hook.current.search("leave");
    });
    expect(hook.current).toMatchObject({ status: "loading", loading: true, query: "leave" });
    await waitFor(() => expect(pending).toHaveLength(1));
    expect(pending[0]!.body).toEqual({ mode: "lexical", query: "leave" });

    await act(async () => {
      pending[0]!.respond(Response.json({ results: [result(0), result(1)] }));
      await done;
    });
    expect(hook.current.status).toBe("success");
    expect(hook.current.results.map((r) => r.documentTitle)).toEqual(["Doc 0", "Doc 1"]);
  });

  it("aborts the previous request when a new query starts; the old answer never lands", async () => {
    const { client, pending } = setup();
    const { result: hook } = renderHook(() => useRagSearch({ client }));
    const first = act(() => void hook.current.search("first"));
    await first;
    await waitFor(() => expect(pending).toHaveLength(1));
    act(() => void hook.current.search("second"));
    await waitFor(() => expect(pending).toHaveLength(2));
    expect(pending[0]!.signal?.aborted).toBe(true);
    expect(pending[1]!.signal?.aborted).toBe(false);

    await act(async () => {
      pending[1]!.respond(Response.json({ results: [result(2, "second")] }));
    });
    await waitFor(() => expect(hook.current.status).toBe("success"));
    expect(hook.current.query).toBe("second");
    expect(hook.current.results[0]!.text).toBe("second result 2");
  });

  it("maps server errors to a RagKitClientError and clears results", async () => {
    const { client, pending } = setup();
    const { result: hook } = renderHook(() => useRagSearch({ client }));
    act(() => void hook.current.search("x"));
    await waitFor(() => expect(pending).toHaveLength(1));
    await act(async () => {
      pending[0]!.respond(
        Response.json(
          {
            error: {
              code: "invalid_input",
              message: "Invalid search request: topK: must be ≤ 100",
              details: [{ path: "topK", message: "must be ≤ 100" }],
              requestId: "req-7",
            },
          },
          { status: 400 },
        ),
      );
    });
    await waitFor(() => expect(hook.current.status).toBe("error"));
    const error = hook.current.error;
    expect(error).toBeInstanceOf(RagKitClientError);
    expect(error).toMatchObject({ status: 400, code: "invalid_input", requestId: "req-7" });
    expect(error?.details).toEqual([{ path: "topK", message: "must be ≤ 100" }]);
    expect(hook.current.results).toEqual([]);
  });

  it("cancel() aborts and returns to the last settled state; reset() returns to idle", async () => {
    const { client, pending } = setup();
    const { result: hook } = renderHook(() => useRagSearch({ client }));
    act(() => void hook.current.search("a"));
    await waitFor(() => expect(pending).toHaveLength(1));
    await act(async () => pending[0]!.respond(Response.json({ results: [result(0)] })));
    await waitFor(() => expect(hook.current.status).toBe("success"));

    act(() => void hook.current.search("b"));
    await waitFor(() => expect(pending).toHaveLength(2));
    act(() => hook.current.cancel());
    expect(pending[1]!.signal?.aborted).toBe(true);
    expect(hook.current).toMatchObject({ status: "success", query: "a" });
    expect(hook.current.results).toHaveLength(1);

    act(() => hook.current.reset());
    expect(hook.current).toMatchObject({ status: "idle", results: [], query: null });
  });

  it("aborts the request in flight on unmount", async () => {
    const { client, pending } = setup();
    const errors = vi.spyOn(console, "error");
    const { result: hook, unmount } = renderHook(() => useRagSearch({ client }));
    act(() => void hook.current.search("x"));
    await waitFor(() => expect(pending).toHaveLength(1));
    unmount();
    expect(pending[0]!.signal?.aborted).toBe(true);
    expect(errors).not.toHaveBeenCalled();
  });

  it("controlled mode searches on query changes, debounced, and goes idle on a blank query", async () => {
    const { client, pending } = setup();
    const { result: hook, rerender } = renderHook(
      ({ query }: { query: string }) => useRagSearch({ client, query, params: { topK: 3 }, debounceMs: 20 }),
      { initialProps: { query: "" } },
    );
    expect(hook.current.status).toBe("idle");
    rerender({ query: "l" });
    rerender({ query: "le" });
    rerender({ query: "leave" });
    await waitFor(() => expect(pending).toHaveLength(1));
    expect(pending[0]!.body).toEqual({ topK: 3, query: "leave" });
    await act(async () => pending[0]!.respond(Response.json({ results: [result(0)] })));
    await waitFor(() => expect(hook.current.status).toBe("success"));

    // Same query and equal params on a re-render: no new request.
    rerender({ query: "leave" });
    await new Promise((r) => setTimeout(r, 50));
    expect(pending).toHaveLength(1);

    rerender({ query: "  " });
    await waitFor(() => expect(hook.current.status).toBe("idle"));
    expect(hook.current.results).toEqual([]);
  });
});

describe("useDocuments", () => {
  it("loads the first page, then more, then reloads", async () => {
    const { client, pending } = setup();
    const { result: hook } = renderHook(() => useDocuments({ client, limit: 2 }));
    await waitFor(() => expect(pending).toHaveLength(1));
    expect(hook.current.loading).toBe(true);
    expect(pending[0]!.url).toBe("http://x.test/documents?limit=2");
    await act(async () =>
      pending[0]!.respond(Response.json({ documents: [doc(1), doc(2)], nextCursor: "c1" })),
    );
    await waitFor(() => expect(hook.current.status).toBe("success"));
    expect(hook.current.hasMore).toBe(true);

    act(() => void hook.current.loadMore());
    await waitFor(() => expect(pending).toHaveLength(2));
    expect(pending[1]!.url).toBe("http://x.test/documents?limit=2&cursor=c1");
    await act(async () => pending[1]!.respond(Response.json({ documents: [doc(3)], nextCursor: null })));
    await waitFor(() =>
      expect(hook.current.documents.map((d) => d.title)).toEqual(["Document 1", "Document 2", "Document 3"]),
    );
    expect(hook.current.hasMore).toBe(false);

    act(() => void hook.current.loadMore());
    expect(pending).toHaveLength(2);

    act(() => void hook.current.reload());
    await waitFor(() => expect(pending).toHaveLength(3));
    expect(pending[2]!.url).toBe("http://x.test/documents?limit=2");
    expect(hook.current.documents).toEqual([]);
  });

  it("reports errors and aborts on unmount", async () => {
    const { client, pending } = setup();
    const { result: hook, unmount } = renderHook(() => useDocuments({ client }));
    await waitFor(() => expect(pending).toHaveLength(1));
    await act(async () =>
      pending[0]!.respond(
        Response.json(
          { error: { code: "unauthorized", message: "A bearer token is required.", requestId: "r" } },
          { status: 401 },
        ),
      ),
    );
    await waitFor(() => expect(hook.current.status).toBe("error"));
    expect(hook.current.error).toMatchObject({ status: 401, code: "unauthorized" });

    act(() => void hook.current.reload());
    await waitFor(() => expect(pending).toHaveLength(2));
    unmount();
    expect(pending[1]!.signal?.aborted).toBe(true);
  });

  it("waits while disabled", async () => {
    const { client, pending } = setup();
    const { result: hook, rerender } = renderHook(({ enabled }) => useDocuments({ client, enabled }), {
      initialProps: { enabled: false },
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(pending).toHaveLength(0);
    expect(hook.current.status).toBe("idle");
    rerender({ enabled: true });
    await waitFor(() => expect(pending).toHaveLength(1));
  });
});

import { exampleSalesRows, seedExampleSales } from "@ragkit/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isAbortError, RagKitClient, RagKitClientError } from "../src/headless.js";
import { BASE_URL, type Fixture, fetchVia, mint, openFixture } from "./support.js";

let fx: Fixture;

beforeAll(async () => {
  fx = await openFixture();
});

afterAll(async () => {
  await fx?.store.close();
});

function clientFor(
  tenant: string | null,
  extra: Partial<ConstructorParameters<typeof RagKitClient>[0]> = {},
) {
  const fetch = fetchVia(fx.handler);
  const getToken = vi.fn(async () => (tenant ? mint(tenant) : null));
  return {
    client: new RagKitClient({ baseUrl: `${BASE_URL}/`, getToken, fetch, ...extra }),
    getToken,
    fetch,
  };
}

async function rejection(promise: Promise<unknown>): Promise<RagKitClientError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RagKitClientError);
  expect(RagKitClientError.is(error)).toBe(true);
  return error as RagKitClientError;
}

describe("RagKitClient against the real handler", () => {
  it("searches within the token's tenant and returns validated results with citations", async () => {
    const { client, fetch } = clientFor("acme");
    const { results } = await client.search({ query: "travel reimbursed", mode: "lexical", topK: 5 });
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(fx.docsA).toContain(r.documentId);
    const top = results[0]!;
    expect(top.documentTitle).toMatch(/Travel policy|Expense guide/);
    expect(top.pageNumber).toEqual(expect.any(Number));
    expect(top.sectionTitle).toEqual(expect.any(String));
    const sent = fetch.calls[0]!;
    expect(sent.url).toBe(`${BASE_URL}/search`);
    expect(sent.method).toBe("POST");
    expect(sent.headers.get("content-type")).toBe("application/json");
    expect(sent.headers.get("authorization")).toMatch(/^Bearer ey/);
    expect(await sent.json()).toEqual({ query: "travel reimbursed", mode: "lexical", topK: 5 });

    const other = clientFor("globex").client;
    const b = await other.search({ query: "travel" });
    expect(b.results.map((r) => r.documentId)).toEqual(fx.docsB);
  });

  it("lists the tenant's datasets with its own sample values", async () => {
    await seedExampleSales(fx.store, fx.ctxA, exampleSalesRows({ regions: ["North"] }));
    await seedExampleSales(fx.store, fx.ctxB, exampleSalesRows({ regions: ["East"] }));
    const { datasets } = await clientFor("acme").client.listDatasets();
    const sales = datasets.find((d) => d.name === "sales_view");
    expect(sales?.columns.map((c) => c.name)).toEqual(["month", "region", "product", "units", "revenue"]);
    expect(sales?.columns.find((c) => c.name === "region")?.samples).toEqual(["North"]);
    const other = await clientFor("globex").client.listDatasets();
    expect(other.datasets[0]?.columns.find((c) => c.name === "region")?.samples).toEqual(["East"]);
  });

  it("lists documents page by page", async () => {
    const { client } = clientFor("acme");
    const first = await client.listDocuments({ limit: 2 });
    expect(first.documents).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await client.listDocuments({ limit: 2, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    expect([...first.documents, ...second.documents].map((d) => d.id).sort()).toEqual([...fx.docsA].sort());
    expect((await client.listDocuments({ status: "failed" })).documents).toEqual([]);
  });

  it("gets one document and maps another tenant's id to not_found", async () => {
    const { client } = clientFor("acme");
    const doc = await client.getDocument(fx.docsA[0]!);
    expect(doc).toMatchObject({ id: fx.docsA[0], title: "Travel policy", status: "ready", chunkCount: 1 });

    const error = await rejection(client.getDocument(fx.docsB[0]!));
    expect(error).toMatchObject({ status: 404, code: "not_found", message: "Document not found." });
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await rejection(client.getDocument("../../etc/passwd"))).code).toBe("not_found");
  });

  it("calls getToken before every request", async () => {
    const { client, getToken, fetch } = clientFor("acme");
    await client.listDocuments();
    await client.search({ query: "laptop" });
    await client.getDocument(fx.docsA[2]!);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(fetch.calls.every((r) => r.headers.get("authorization")?.startsWith("Bearer "))).toBe(true);
  });

  it("maps 401 (no token) and 403 (unknown tenant)", async () => {
    const anonymous = clientFor(null).client;
    const unauthorized = await rejection(anonymous.listDocuments());
    expect(unauthorized).toMatchObject({ status: 401, code: "unauthorized" });

    const stranger = clientFor("initech").client;
    expect(await rejection(stranger.listDocuments())).toMatchObject({ status: 403, code: "unknown_tenant" });
  });

  it("carries field-level details for invalid input", async () => {
    const { client } = clientFor("acme");
    const error = await rejection(client.search({ query: " ", topK: 1000 }));
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_input");
    expect(error.details.map((d) => d.path).sort()).toEqual(["query", "topK"]);
  });

  it("sends extra headers but never lets them replace the token", async () => {
    const { client, fetch } = clientFor("acme", {
      headers: { "x-app": "docs", authorization: "Bearer forged" },
    });
    await client.listDocuments();
    expect(fetch.calls[0]!.headers.get("x-app")).toBe("docs");
    expect(fetch.calls[0]!.headers.get("authorization")).not.toBe("Bearer forged");

    const anonymous = clientFor(null, { headers: { Authorization: "Bearer forged" } });
    await expect(anonymous.client.listDocuments()).rejects.toMatchObject({ status: 401 });
    expect(anonymous.fetch.calls[0]!.headers.has("authorization")).toBe(false);
  });
});

describe("RagKitClient failure modes", () => {
  const client = (
    fetch: (url: string, init: RequestInit) => Promise<Response>,
    getToken?: () => Promise<string>,
  ) => new RagKitClient({ baseUrl: "http://x.test", fetch, ...(getToken ? { getToken } : {}) });

  it("network_error when fetch rejects", async () => {
    const error = await rejection(
      client(async () => Promise.reject(new TypeError("fetch failed"))).listDocuments(),
    );
    expect(error).toMatchObject({ status: 0, code: "network_error", requestId: null });
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("token_error when getToken throws", async () => {
    const fetch = vi.fn();
    const error = await rejection(
      client(fetch, async () => {
        throw new Error("session expired");
      }).listDocuments(),
    );
    expect(error).toMatchObject({ status: 0, code: "token_error" });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("http_error for a non-RagKit error body (e.g. a proxy page)", async () => {
    const error = await rejection(
      client(
        async () =>
          new Response("<html>Bad gateway</html>", { status: 502, headers: { "x-request-id": "edge-1" } }),
      ).listDocuments(),
    );
    expect(error).toMatchObject({ status: 502, code: "http_error", requestId: "edge-1" });
  });

  // The server validates; the client checks the envelope only (no zod in the headless bundle, issue 16).
  it("invalid_response for a 2xx body that is not a JSON object", async () => {
    const bad = [
      new Response("not json"),
      Response.json([{ id: "d1" }]),
      Response.json("documents"),
      Response.json(null),
      new Response(null, { status: 204 }),
    ];
    for (const response of bad) {
      const error = await rejection(client(async () => response).listDocuments());
      expect(error.code).toBe("invalid_response");
    }
  });

  it("keeps unknown error codes from newer servers", async () => {
    const error = await rejection(
      client(async () =>
        Response.json(
          { error: { code: "quota_exceeded", message: "Over quota", requestId: "r-9" } },
          { status: 429 },
        ),
      ).search({ query: "x" }),
    );
    expect(error).toMatchObject({
      status: 429,
      code: "quota_exceeded",
      message: "Over quota",
      requestId: "r-9",
    });
  });

  it("rejects with the AbortError, not a RagKitClientError, when aborted", async () => {
    const controller = new AbortController();
    const fetch = (_url: string, init: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    const pending = client(fetch).search({ query: "x" }, { signal: controller.signal });
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(RagKitClientError.is(error)).toBe(false);

    const already = await client(fetch)
      .listDocuments({}, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(isAbortError(already)).toBe(true);
  });

  it("validates baseUrl", () => {
    expect(() => new RagKitClient({} as never)).toThrow(TypeError);
  });
});

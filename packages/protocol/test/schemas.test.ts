import { describe, expect, it } from "vitest";
import {
  documentListResponseSchema,
  documentResponseSchema,
  documentSummarySchema,
  errorBodySchema,
  errorCodeSchema,
  errorCodes,
  errorStatus,
  healthResponseSchema,
  isErrorCode,
  listDocumentsQuerySchema,
  MAX_TOP_K,
  readyResponseSchema,
  requestIdPattern,
  type SearchResult,
  searchRequestSchema,
  searchResponseSchema,
} from "../src/index.js";

const uuid = "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

const result: SearchResult = {
  chunkId: "9b2e0c1a-1111-4c7d-8e9f-0a1b2c3d4e5f",
  documentId: uuid,
  documentTitle: "Handbook",
  source: "upload",
  sourceUrl: null,
  text: "Employees get 25 days of leave.",
  chunkIndex: 0,
  start: 0,
  end: 31,
  pageNumber: 3,
  sectionTitle: "Leave",
  metadata: { lang: "en" },
  score: 0.0328,
  scores: { dense: { similarity: 0.71, rank: 1 }, lexical: { bm25: 2.3, rank: 1 }, fused: 0.0328 },
};

const summary = {
  id: uuid,
  title: "Handbook",
  source: "upload",
  sourceId: "hr/handbook.pdf",
  sourceUrl: null,
  mimeType: "application/pdf",
  contentHash: "sha256:abcdef0123",
  status: "ready",
  metadata: {},
  chunkCount: 12,
  tokenCount: 3400,
  createdAt: "2025-01-02T03:04:05.678Z",
  updatedAt: "2025-01-02T03:04:05.678Z",
};

function paths(r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }): string[] {
  return (r.error?.issues ?? []).map((i) => i.path.map(String).join("."));
}

describe("searchRequestSchema", () => {
  it("accepts a minimal request and applies defaults", () => {
    expect(searchRequestSchema.parse({ query: "leave policy" })).toEqual({
      query: "leave policy",
      mode: "hybrid",
      topK: 10,
    });
  });

  it("accepts every option", () => {
    const parsed = searchRequestSchema.parse({
      query: "leave",
      mode: "lexical",
      topK: MAX_TOP_K,
      threshold: 0.2,
      filter: { lang: "en", year: { in: [2024, 2025] }, draft: false },
      documentIds: [uuid],
    });
    expect(parsed.mode).toBe("lexical");
    expect(parsed.filter).toEqual({ lang: "en", year: { in: [2024, 2025] }, draft: false });
  });

  it("drops unknown fields such as a tenant id", () => {
    const parsed = searchRequestSchema.parse({ query: "x", tenantId: "other", tenant_id: "other" });
    expect(parsed).not.toHaveProperty("tenantId");
    expect(parsed).not.toHaveProperty("tenant_id");
  });

  it.each([
    [{}, ["query"]],
    [{ query: "   " }, ["query"]],
    [{ query: "x".repeat(10_001) }, ["query"]],
    [{ query: 42 }, ["query"]],
    [{ query: "x", mode: "fuzzy" }, ["mode"]],
    [{ query: "x", topK: 0 }, ["topK"]],
    [{ query: "x", topK: MAX_TOP_K + 1 }, ["topK"]],
    [{ query: "x", topK: 2.5 }, ["topK"]],
    [{ query: "x", threshold: 2 }, ["threshold"]],
    [{ query: "x", filter: { "bad key": "v" } }, ["filter.bad key"]],
    [{ query: "x", filter: { lang: { in: [] } } }, ["filter.lang.in"]],
    [{ query: "x", filter: { lang: { eq: "en" } } }, ["filter.lang"]],
    [{ query: "x", documentIds: ["not-a-uuid"] }, ["documentIds.0"]],
    [{ query: "", topK: -1 }, ["query", "topK"]],
  ])("rejects %j at %j", (input, expected) => {
    const r = searchRequestSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(paths(r)).toEqual(expected);
  });
});

describe("response schemas", () => {
  it("accept a search response", () => {
    expect(searchResponseSchema.parse({ results: [result] })).toEqual({ results: [result] });
    expect(searchResponseSchema.parse({ results: [] })).toEqual({ results: [] });
  });

  it("reject a malformed search result", () => {
    expect(searchResponseSchema.safeParse({ results: [{ ...result, pageNumber: 0 }] }).success).toBe(false);
    expect(searchResponseSchema.safeParse({ results: [{ ...result, text: undefined }] }).success).toBe(false);
    expect(searchResponseSchema.safeParse({}).success).toBe(false);
  });

  it("accept document summaries, lists and single documents", () => {
    expect(documentSummarySchema.parse(summary)).toEqual(summary);
    expect(documentListResponseSchema.parse({ documents: [summary], nextCursor: "abc" }).nextCursor).toBe(
      "abc",
    );
    expect(documentListResponseSchema.parse({ documents: [], nextCursor: null }).documents).toEqual([]);
    expect(documentResponseSchema.parse({ document: summary }).document.id).toBe(uuid);
  });

  it("reject bad documents", () => {
    expect(documentSummarySchema.safeParse({ ...summary, status: "gone" }).success).toBe(false);
    expect(documentSummarySchema.safeParse({ ...summary, createdAt: "yesterday" }).success).toBe(false);
    expect(documentListResponseSchema.safeParse({ documents: [summary] }).success).toBe(false);
  });

  it("health and ready", () => {
    expect(healthResponseSchema.parse({ status: "ok" })).toEqual({ status: "ok" });
    expect(readyResponseSchema.safeParse({ status: "ok" }).success).toBe(false);
  });
});

describe("listDocumentsQuerySchema", () => {
  it("coerces query-string values and applies the default limit", () => {
    expect(listDocumentsQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(listDocumentsQuerySchema.parse({ limit: "5", cursor: "abc", status: "ready" })).toEqual({
      limit: 5,
      cursor: "abc",
      status: "ready",
    });
  });

  it.each([
    [{ limit: "0" }, "limit"],
    [{ limit: "101" }, "limit"],
    [{ limit: "ten" }, "limit"],
    [{ limit: "1.5" }, "limit"],
    [{ status: "archived" }, "status"],
    [{ cursor: "" }, "cursor"],
  ])("rejects %j", (input, path) => {
    const r = listDocumentsQuerySchema.safeParse(input);
    expect(paths(r)).toEqual([path]);
  });
});

describe("errors", () => {
  it("lists every code with a status", () => {
    expect(errorCodes).toContain("invalid_input");
    expect(errorCodes.every((c) => errorStatus[c] >= 400 && errorStatus[c] < 600)).toBe(true);
    expect(errorStatus.unknown_tenant).toBe(403);
    expect(errorCodeSchema.safeParse("teapot").success).toBe(false);
    expect(isErrorCode("not_found")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
  });

  it("accepts error bodies, including codes from newer servers", () => {
    const body = {
      error: {
        code: "invalid_input",
        message: "Invalid search request",
        details: [{ path: "topK", message: "must be ≤ 100" }],
        requestId: "req-1",
      },
    };
    expect(errorBodySchema.parse(body)).toEqual(body);
    expect(
      errorBodySchema.safeParse({ error: { code: "future_code", message: "m", requestId: "r" } }).success,
    ).toBe(true);
    expect(errorBodySchema.safeParse({ error: { code: "", message: "m", requestId: "r" } }).success).toBe(
      false,
    );
    expect(errorBodySchema.safeParse({ message: "flat" }).success).toBe(false);
  });

  it("request ids", () => {
    expect(requestIdPattern.test("abc-123_x.y:z")).toBe(true);
    expect(requestIdPattern.test("a".repeat(129))).toBe(false);
    expect(requestIdPattern.test("bad id")).toBe(false);
    expect(requestIdPattern.test("<script>")).toBe(false);
  });
});

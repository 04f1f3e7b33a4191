import { describe, expect, it } from "vitest";
import {
  chatApprovalDecisionSchema,
  createConnectorRequestSchema,
  eventIdSchema,
  int8IdSchema,
  jsonObjectSchema,
  jsonProblems,
  jsonTextTooDeep,
  listAuditQuerySchema,
  listThreadsQuerySchema,
  MAX_JSON_DEPTH,
  searchRequestSchema,
  textDocumentRequestSchema,
  textProblem,
  textSchema,
  timestampSchema,
} from "../src/index.js";

const NUL = "a\u0000b";
const HIGH = "x\uD800";
const LOW = "\uDC00x";

describe("textSchema", () => {
  it.each([NUL, HIGH, LOW, "\uDC00\uD800"])("refuses %j with a message", (value) => {
    const r = textSchema.safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/NUL|surrogate/);
  });

  it.each(["", "plain", "emoji 😀", "\uFFFD", "tab\tnewline\n"])("accepts %j", (value) => {
    expect(textSchema.safeParse(value).success).toBe(true);
    expect(textProblem(value)).toBeNull();
  });

  it("keeps chained limits and names the field in request schemas", () => {
    expect(textSchema.max(3).safeParse("abcd").success).toBe(false);
    const search = searchRequestSchema.safeParse({ query: NUL, filter: { lang: HIGH } });
    expect(search.error?.issues.map((i) => i.path.join("."))).toEqual(["query", "filter.lang"]);
    const reject = chatApprovalDecisionSchema.safeParse({ type: "reject", reason: NUL });
    expect(reject.error?.issues.map((i) => i.path.join("."))).toEqual(["reason"]);
  });
});

describe("jsonProblems", () => {
  it("finds every kind of unstorable JSON, with paths", () => {
    const value = JSON.parse(`{"a":["ok","${"\\u0000"}"],"b":{"__proto__":1},"n":1e400,"k\\ud800":1}`);
    expect(jsonProblems(value)).toEqual(
      expect.arrayContaining([
        { path: ["a", 1], message: expect.stringMatching(/NUL/) },
        { path: ["b"], message: expect.stringMatching(/__proto__/) },
        { path: ["n"], message: "must be a finite number" },
        { path: [], message: expect.stringMatching(/^keys .*surrogate/) },
      ]),
    );
  });

  it("walks any depth without recursion and reports depth once", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonProblems(deep)).toEqual([
      { path: [], message: `is nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
    expect(jsonProblems({ a: { b: 1 } }, { maxDepth: 2 })).toEqual([]);
    expect(jsonProblems({ a: { b: {} } }, { maxDepth: 2 })).toHaveLength(1);
  });

  it("refuses non-JSON values and values over the size limit", () => {
    expect(jsonProblems({ d: new Date(0) })[0]?.path).toEqual(["d"]);
    expect(jsonProblems({ u: undefined })[0]?.message).toMatch(/JSON value/);
    expect(jsonProblems({ s: "x".repeat(100) }, { maxBytes: 50 })[0]?.message).toMatch(/at most 50 bytes/);
  });

  it("jsonObjectSchema sees a __proto__ key (zod's record copy would drop it)", () => {
    const r = jsonObjectSchema().safeParse(JSON.parse('{"__proto__":{"isAdmin":true}}'));
    expect(r.success).toBe(false);
    expect(createConnectorRequestSchema.safeParse({ kind: "urls", name: "x", config: [] }).success).toBe(
      false,
    );
  });
});

describe("jsonTextTooDeep", () => {
  it("counts brackets outside strings only", () => {
    expect(jsonTextTooDeep("[[[]]]", 3)).toBe(false);
    expect(jsonTextTooDeep("[[[[]]]]", 3)).toBe(true);
    expect(jsonTextTooDeep(`{"a":"[[[[[[\\"[[["}`, 1)).toBe(false);
    expect(jsonTextTooDeep("[".repeat(150_000), MAX_JSON_DEPTH)).toBe(true);
  });
});

describe("ids and timestamps within Postgres ranges", () => {
  it.each(["0", "1", "9223372036854775807", "0009223372036854775807".slice(3)])("accepts id %s", (id) => {
    expect(int8IdSchema.safeParse(id).success).toBe(true);
  });

  it.each(["9223372036854775808", "99999999999999999999", "-1", "abc", "1e3", "", " 1"])(
    "refuses id %j",
    (id) => {
      expect(eventIdSchema.safeParse(id).success).toBe(false);
      expect(listAuditQuerySchema.safeParse({ before: id }).success).toBe(false);
    },
  );

  it.each(["1", "March 7", "+275760-09-13T00:00:00.000Z", "0000-01-01T00:00:00Z", "2024-02-30T00:00:00Z"])(
    "refuses timestamp %j",
    (ts) => {
      expect(timestampSchema.safeParse(ts).success).toBe(false);
      expect(listThreadsQuerySchema.safeParse({ before: ts }).success).toBe(false);
    },
  );

  it.each(["2025-01-31T12:00:00Z", "0001-01-01T00:00:00.000Z", "2024-02-29T23:59:59+05:30"])(
    "accepts timestamp %s",
    (ts) => {
      expect(timestampSchema.safeParse(ts).success).toBe(true);
    },
  );

  it("document metadata is limited in depth and size", () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { a: deep };
    expect(textDocumentRequestSchema.safeParse({ text: "x", metadata: deep }).success).toBe(false);
    expect(
      textDocumentRequestSchema.safeParse({ text: "x", metadata: { big: "x".repeat(70_000) } }).success,
    ).toBe(false);
    expect(textDocumentRequestSchema.safeParse({ text: "x", metadata: { lang: "en" } }).success).toBe(true);
  });
});

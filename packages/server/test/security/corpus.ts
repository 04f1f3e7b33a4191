import type { Fixtures } from "./world.js";

/**
 * The hostile-input corpus: for every operation of the API, requests whose text, numbers, cursors, ids, body
 * shape or media type are what an attacker (or a broken client) sends, with the answer the server must give.
 * Data only: `hostile-input.test.ts` walks it against the real handler; the attack suite reuses it.
 */

/** Strings Postgres cannot store in `text`/`jsonb` (NUL) and strings that are not valid Unicode. */
export const hostileText = {
  nul: "before\u0000after",
  loneHigh: "lone \uD83D high surrogate",
  loneLow: "lone \uDE00 low surrogate",
} as const;
export type HostileTextKind = keyof typeof hostileText;
const textKinds = Object.keys(hostileText) as HostileTextKind[];

/** Nesting depth of the deep-JSON cases: far beyond any sane request, enough to overflow a recursive walk. */
export const DEEP = 150_000;
/** `[[[…]]]`, DEEP levels (300 kB: under the 1 MiB body limit, so the depth limit is what answers). */
export const deepArray = (depth = DEEP) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
/** `{"a":{"a":…}}`, as a metadata-shaped object. */
export const deepObject = (depth = DEEP) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** Timestamps `Date.parse` accepts that Postgres does not (or that are not timestamps at all). */
export const hostileTimestamps = [
  "1",
  "March 7",
  "+275760-09-13T00:00:00.000Z",
  "-271821-04-20T00:00:00.000Z",
  "0000-01-01T00:00:00.000Z",
  "2024-02-30T00:00:00.000Z",
] as const;

/** Event ids / row ids outside int8, negative, or not numbers. */
export const hostileIds = [
  "9223372036854775808",
  "99999999999999999999",
  "-1",
  "abc",
  "1e3",
  "0x10",
] as const;

/** Path segments that must read as a missing resource. */
export const hostilePathIds = [
  "%00",
  "a%00b",
  "x".repeat(5000),
  "%ED%A0%80",
  "00000000-0000-4000-8000-000000000000%00",
  "..%2F..%2Fetc",
] as const;

export interface HostileRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path relative to the handler's base path, query string included (already encoded). */
  path: string;
  headers?: Record<string, string>;
  /** A JSON text (sent as application/json unless `headers` say otherwise), bytes, or a multipart form. */
  body?: string | Uint8Array<ArrayBuffer> | FormData;
  /** Send without a bearer token (public routes). */
  anonymous?: boolean;
}

export interface Expectation {
  status: number;
  /** The error code of the standard error body (non-2xx only). */
  code?: string;
  /** A `details[].path` of the 400 that names the offending field. */
  path?: string;
  /** Part of the readable message. */
  message?: RegExp;
}

export interface HostileCase {
  /** The OpenAPI operation, `"METHOD /path/{param}"`. */
  operation: string;
  name: string;
  request(f: Fixtures): HostileRequest;
  expect: Expectation;
}

const textMessage: Record<HostileTextKind, RegExp> = {
  nul: /NUL/,
  loneHigh: /surrogate/,
  loneLow: /surrogate/,
};

const invalid = (path: string, message?: RegExp): Expectation => ({
  status: 400,
  code: "invalid_input",
  path,
  ...(message ? { message } : {}),
});
const notFound: Expectation = { status: 404, code: "not_found" };
const ok = (status = 200): Expectation => ({ status });

/**
 * A JSON body with raw JSON spliced in: `json({ a: "@@deep@@" }, { deep: deepArray() })`. Builds deep or
 * non-finite (`1e400`) values without constructing them in this process.
 */
export function json(value: unknown, raw: Record<string, string> = {}): string {
  let text = JSON.stringify(value);
  for (const [name, replacement] of Object.entries(raw)) text = text.replace(`"@@${name}@@"`, replacement);
  return text;
}

const enc = encodeURIComponent;
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const UUID = "00000000-0000-4000-8000-000000000000";

/** One case per hostile text kind for one text field. */
function textField(
  operation: string,
  field: string,
  build: (value: string, f: Fixtures) => HostileRequest,
  path = field,
  kinds: readonly HostileTextKind[] = textKinds,
): HostileCase[] {
  return kinds.map((kind) => ({
    operation,
    name: `${field}: ${kind}`,
    request: (f) => build(hostileText[kind], f),
    expect: invalid(path, textMessage[kind]),
  }));
}

/** Body-level cases every JSON route gets: media type, empty, malformed, deep, oversized, non-finite. */
function bodyCases(
  operation: string,
  target: (f: Fixtures) => { method: "POST" | "PATCH"; path: string },
  valid: (f: Fixtures) => Record<string, unknown>,
): HostileCase[] {
  const at = (f: Fixtures, body: HostileRequest["body"], headers?: Record<string, string>) => ({
    ...target(f),
    body,
    ...(headers ? { headers } : {}),
  });
  return [
    {
      operation,
      name: "text/plain body",
      request: (f) => at(f, JSON.stringify(valid(f)), { "content-type": "text/plain" }),
      expect: { status: 415, code: "unsupported_media_type" },
    },
    {
      operation,
      name: "JSON in latin-1",
      request: (f) =>
        at(f, JSON.stringify(valid(f)), { "content-type": "application/json; charset=iso-8859-1" }),
      expect: { status: 415, code: "unsupported_media_type" },
    },
    { operation, name: "empty body", request: (f) => at(f, ""), expect: invalid("(body)") },
    { operation, name: "not JSON", request: (f) => at(f, "{'a': 1"), expect: invalid("(body)") },
    {
      operation,
      name: "invalid UTF-8",
      request: (f) => at(f, new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])),
      expect: invalid("(body)"),
    },
    { operation, name: "JSON null", request: (f) => at(f, "null"), expect: invalid("(root)") },
    {
      operation,
      name: `array nested ${DEEP} deep`,
      request: (f) => at(f, deepArray()),
      expect: invalid("(body)", /deeper than/),
    },
    {
      operation,
      name: `valid body with a field nested ${DEEP} deep`,
      request: (f) => at(f, json({ ...valid(f), extra: "@@deep@@" }, { deep: deepObject() })),
      expect: invalid("(body)", /deeper than/),
    },
    {
      operation,
      name: "NUL in an unknown field",
      request: (f) => at(f, json({ ...valid(f), tenantId: hostileText.nul })),
      expect: invalid("tenantId", /NUL/),
    },
    {
      operation,
      name: "__proto__ key",
      request: (f) =>
        at(f, json({ ...valid(f), x: "@@proto@@" }, { proto: '{"__proto__":{"isAdmin":true}}' })),
      expect: invalid("x", /__proto__/),
    },
    {
      operation,
      name: "1e400 (not a finite number)",
      request: (f) => at(f, json({ ...valid(f), x: "@@n@@" }, { n: "1e400" })),
      expect: invalid("x", /finite/),
    },
    {
      operation,
      name: "2 MiB body",
      request: (f) => at(f, json({ ...valid(f), pad: "x".repeat(2 * 1024 * 1024) })),
      expect: { status: 413, code: "payload_too_large" },
    },
  ];
}

/** Ids in the path that do not exist (or cannot): the resource's 404, never a 500. */
function pathIdCases(
  operation: string,
  build: (id: string, f: Fixtures) => HostileRequest,
  expect: Expectation = notFound,
): HostileCase[] {
  return hostilePathIds.map((id) => ({
    operation,
    name: `path id ${id.length > 40 ? `${id.slice(0, 12)}… (${id.length} chars)` : id}`,
    request: (f) => build(id, f),
    expect,
  }));
}

/** A query parameter nobody reads, with NUL in it: ignored, the route answers as usual. */
function ignoredQuery(operation: string, path: string, anonymous: boolean, status = 200): HostileCase {
  return {
    operation,
    name: "NUL in an unknown query parameter",
    request: () => ({
      method: operation.split(" ")[0] as HostileRequest["method"],
      path: `${path}?x=%00`,
      anonymous,
    }),
    expect: ok(status),
  };
}

function queryCases(
  operation: string,
  param: string,
  values: readonly string[],
  build: (query: string, f: Fixtures) => HostileRequest,
): HostileCase[] {
  return values.map((value) => ({
    operation,
    name: `?${param}=${value.length > 40 ? `${value.slice(0, 20)}…` : value}`,
    request: (f) => build(`${param}=${enc(value)}`, f),
    expect: invalid(param),
  }));
}

const hostileNumbers = ["1e400", "-1", "99999999999999999999", "1.5", "\u0000", "NaN"] as const;

function eventIdCases(operation: string, path: (f: Fixtures) => string): HostileCase[] {
  return [
    ...hostileIds.map(
      (id): HostileCase => ({
        operation,
        name: `Last-Event-ID ${JSON.stringify(id)}`,
        request: (f) => ({ method: "GET", path: path(f), headers: { "last-event-id": id } }),
        expect: invalid("Last-Event-ID"),
      }),
    ),
    {
      operation,
      name: "?lastEventId=NUL",
      request: (f) => ({ method: "GET", path: `${path(f)}?lastEventId=%00` }),
      expect: invalid("lastEventId"),
    },
  ];
}

// ---- the corpus, operation by operation --------------------------------------------------------------------

const search = "POST /search";
const searchBody = (over: Record<string, unknown>): HostileRequest => ({
  method: "POST",
  path: "/search",
  body: json({ query: "aurora budget", ...over }),
});
const searchCases: HostileCase[] = [
  ...textField(search, "query", (v) => searchBody({ query: v })),
  ...textField(search, "filter value", (v) => searchBody({ filter: { lang: v } }), "filter.lang"),
  ...textField(
    search,
    "filter in-list",
    (v) => searchBody({ filter: { lang: { in: ["en", v] } } }),
    "filter.lang.in.1",
  ),
  ...textField(search, "filter key", (v) => searchBody({ filter: { [`k${v}`]: "x" } }), "filter"),
  ...textField(search, "documentIds", (v) => searchBody({ documentIds: [v] }), "documentIds.0"),
  {
    operation: search,
    name: "topK 1e400",
    request: () => ({
      method: "POST",
      path: "/search",
      body: json({ query: "x", topK: "@@n@@" }, { n: "1e400" }),
    }),
    expect: invalid("topK"),
  },
  {
    operation: search,
    name: "topK 2^53+1",
    request: () => ({ method: "POST", path: "/search", body: '{"query":"x","topK":9007199254740993}' }),
    expect: invalid("topK"),
  },
  {
    operation: search,
    name: "threshold -1e400",
    request: () => ({ method: "POST", path: "/search", body: '{"query":"x","threshold":-1e400}' }),
    expect: invalid("threshold"),
  },
  {
    operation: search,
    name: "filter with __proto__",
    request: () => ({ method: "POST", path: "/search", body: '{"query":"x","filter":{"__proto__":"x"}}' }),
    expect: invalid("filter", /__proto__/),
  },
  ...bodyCases(
    search,
    () => ({ method: "POST", path: "/search" }),
    () => ({ query: "aurora" }),
  ),
];

const listDocs = "GET /documents";
const docsQuery = (q: string): HostileRequest => ({ method: "GET", path: `/documents?${q}` });
const listDocumentCases: HostileCase[] = [
  ...hostileTimestamps.map(
    (ts): HostileCase => ({
      operation: listDocs,
      name: `cursor with created_at ${ts}`,
      request: () => docsQuery(`cursor=${cursorOf([ts, UUID])}`),
      expect: invalid("cursor"),
    }),
  ),
  ...textKinds.map(
    (kind): HostileCase => ({
      operation: listDocs,
      name: `cursor with ${kind} in created_at`,
      request: () => docsQuery(`cursor=${cursorOf([`2024-01-01 00:00:00+00${hostileText[kind]}`, UUID])}`),
      expect: invalid("cursor"),
    }),
  ),
  {
    operation: listDocs,
    name: "cursor with a non-uuid id",
    request: () => docsQuery(`cursor=${cursorOf(["2024-01-01 00:00:00+00", "1; DROP TABLE documents"])}`),
    expect: invalid("cursor"),
  },
  {
    operation: listDocs,
    name: "cursor nested deep",
    request: () => docsQuery(`cursor=${Buffer.from(deepArray(200)).toString("base64url")}`),
    expect: invalid("cursor"),
  },
  ...queryCases(listDocs, "cursor", ["\u0000", "!!!", "x".repeat(600)], docsQuery),
  ...queryCases(listDocs, "limit", hostileNumbers, docsQuery),
  ...queryCases(listDocs, "status", ["\u0000", "ready\u0000"], docsQuery),
];

const upload = "POST /documents";
const textDoc = (over: Record<string, unknown>): HostileRequest => ({
  method: "POST",
  path: "/documents",
  body: json({ text: "A short note.", title: "Note", ...over }),
});
const multipart = (build: (form: FormData) => void): HostileRequest => {
  const form = new FormData();
  build(form);
  return { method: "POST", path: "/documents", body: form };
};
const file = () => new Blob(["A short note about aurora."], { type: "text/plain" });
/** One file plus a `metadata` field with this (raw) text. */
const withMetadata = (metadata: string) =>
  multipart((form) => {
    form.append("file", file(), "note.txt");
    form.append("metadata", metadata);
  });
const uploadCases: HostileCase[] = [
  ...textField(upload, "text", (v) => textDoc({ text: `Some text ${v}` })),
  ...textField(upload, "title", (v) => textDoc({ title: v })),
  ...textField(upload, "sourceId", (v) => textDoc({ sourceId: v })),
  ...textField(upload, "metadata value", (v) => textDoc({ metadata: { note: v } }), "metadata.note"),
  ...textField(upload, "nested metadata", (v) => textDoc({ metadata: { a: { b: [v] } } }), "metadata.a.b.0"),
  ...textField(upload, "metadata key", (v) => textDoc({ metadata: { [`k${v}`]: 1 } }), "metadata"),
  {
    operation: upload,
    name: "sourceUrl with NUL",
    request: () => textDoc({ sourceUrl: `https://example.com/${hostileText.nul}` }),
    expect: invalid("sourceUrl"),
  },
  {
    operation: upload,
    name: "metadata with __proto__",
    request: () => ({
      method: "POST",
      path: "/documents",
      body: '{"text":"x","metadata":{"__proto__":{"a":1}}}',
    }),
    expect: invalid("metadata", /__proto__/),
  },
  {
    operation: upload,
    name: `metadata nested ${DEEP} deep`,
    request: () => ({
      method: "POST",
      path: "/documents",
      body: json({ text: "x", metadata: "@@d@@" }, { d: deepObject() }),
    }),
    expect: invalid("(body)", /deeper than/),
  },
  {
    operation: upload,
    name: "metadata 1e400",
    request: () => ({ method: "POST", path: "/documents", body: '{"text":"x","metadata":{"n":1e400}}' }),
    expect: invalid("metadata.n", /finite/),
  },
  {
    operation: upload,
    name: "metadata of 200 kB",
    request: () => textDoc({ metadata: { note: "x".repeat(200_000) } }),
    expect: invalid("metadata"),
  },
  {
    operation: upload,
    name: "metadata nested 40 deep (within the body limit, beyond the metadata limit)",
    request: () => ({
      method: "POST",
      path: "/documents",
      body: json({ text: "x", metadata: "@@d@@" }, { d: deepObject(40) }),
    }),
    expect: invalid("metadata"),
  },
  ...bodyCases(
    upload,
    () => ({ method: "POST", path: "/documents" }),
    () => ({ text: "A note." }),
  ),
  // multipart/form-data: names travel as UTF-8, so a lone surrogate arrives as U+FFFD; NUL arrives as is.
  ...textField(
    upload,
    "multipart file name",
    (v) => multipart((form) => form.append("file", file(), `note${v}.txt`)),
    "file.filename",
    ["nul"],
  ),
  ...textField(
    upload,
    "multipart field name",
    (v) => multipart((form) => form.append(`file${v}`, file(), "note.txt")),
    "(body)",
    ["nul"],
  ),
  ...textField(
    upload,
    "multipart metadata value",
    (v) => withMetadata(JSON.stringify({ note: v })),
    "metadata.note",
  ),
  ...(
    [
      ["with a raw NUL byte", '{"note":"a\u0000b"}', invalid("metadata")],
      [`nested ${DEEP} deep`, deepObject(), invalid("metadata", /deeper than/)],
      ["with __proto__", '{"__proto__":{"isAdmin":true}}', invalid("metadata", /__proto__/)],
      ["1e400", '{"n":1e400}', invalid("metadata.n", /finite/)],
      ["that is not an object", "[1,2]", invalid("metadata")],
    ] as const
  ).map(
    ([name, metadata, expect]): HostileCase => ({
      operation: upload,
      name: `multipart metadata ${name}`,
      request: () => withMetadata(metadata),
      expect,
    }),
  ),
  {
    operation: upload,
    name: "multipart without a boundary",
    request: () => ({
      method: "POST",
      path: "/documents",
      body: "--x\r\n\r\n",
      headers: { "content-type": "multipart/form-data" },
    }),
    expect: invalid("(body)"),
  },
];

function idRoutes(
  operation: string,
  method: HostileRequest["method"],
  path: (id: string) => string,
): HostileCase[] {
  return pathIdCases(operation, (id) => ({ method, path: path(id) }));
}

const documentIdCases: HostileCase[] = [
  ...idRoutes("GET /documents/{id}", "GET", (id) => `/documents/${id}`),
  ...idRoutes("GET /documents/{id}/content", "GET", (id) => `/documents/${id}/content`),
  ...idRoutes("DELETE /documents/{id}", "DELETE", (id) => `/documents/${id}`),
  ...idRoutes("POST /documents/{id}/reindex", "POST", (id) => `/documents/${id}/reindex`),
];

const jobCases: HostileCase[] = [
  ...queryCases("GET /jobs", "state", ["\u0000", "done\u0000"], (q) => ({
    method: "GET",
    path: `/jobs?${q}`,
  })),
  ...queryCases("GET /jobs", "limit", hostileNumbers, (q) => ({ method: "GET", path: `/jobs?${q}` })),
  ...idRoutes("GET /jobs/{id}", "GET", (id) => `/jobs/${id}`),
  ...idRoutes("GET /jobs/{id}/events", "GET", (id) => `/jobs/${id}/events`),
  ...eventIdCases("GET /jobs/{id}/events", (f) => `/jobs/${f.jobId}/events`),
  ...idRoutes("POST /jobs/{id}/cancel", "POST", (id) => `/jobs/${id}/cancel`),
  ...idRoutes("POST /jobs/{id}/retry", "POST", (id) => `/jobs/${id}/retry`),
];

const auditCases: HostileCase[] = [
  ...queryCases("GET /audit", "before", [...hostileIds, "\u0000"], (q) => ({
    method: "GET",
    path: `/audit?${q}`,
  })),
  ...queryCases("GET /audit", "limit", hostileNumbers, (q) => ({ method: "GET", path: `/audit?${q}` })),
];

const chat = "POST /chat/stream";
const chatBody = (over: Record<string, unknown>): HostileRequest => ({
  method: "POST",
  path: "/chat/stream",
  body: json({ message: "What is the aurora budget?", ...over }),
});
const chatCases: HostileCase[] = [
  ...textField(chat, "message", (v) => chatBody({ message: `Question ${v}` })),
  ...textField(chat, "threadId", (v) => chatBody({ threadId: `t${v}` })),
  ...textField(chat, "runId", (v) => chatBody({ runId: `r${v}` })),
  {
    operation: chat,
    name: "background is a string",
    request: () => chatBody({ background: "yes" }),
    expect: invalid("background"),
  },
  ...bodyCases(
    chat,
    () => ({ method: "POST", path: "/chat/stream" }),
    () => ({ message: "Hello?" }),
  ),
];

const runCases: HostileCase[] = [
  ...idRoutes("GET /runs/{id}/events", "GET", (id) => `/runs/${id}/events`),
  ...eventIdCases("GET /runs/{id}/events", (f) => `/runs/${f.runId}/events`),
  ...idRoutes("GET /runs/{id}", "GET", (id) => `/runs/${id}`),
  ...idRoutes("POST /runs/{id}/stop", "POST", (id) => `/runs/${id}/stop`),
];

const resume = "POST /threads/{id}/resume";
const resumeBody = (f: Fixtures, over: Record<string, unknown>): HostileRequest => ({
  method: "POST",
  path: `/threads/${f.threadId}/resume`,
  body: json({ decision: { type: "approve" }, ...over }),
});
const threadCases: HostileCase[] = [
  ...queryCases("GET /threads", "before", [...hostileTimestamps, "\u0000"], (q) => ({
    method: "GET",
    path: `/threads?${q}`,
  })),
  ...queryCases("GET /threads", "limit", hostileNumbers, (q) => ({ method: "GET", path: `/threads?${q}` })),
  ...idRoutes("GET /threads/{id}", "GET", (id) => `/threads/${id}`),
  ...idRoutes("GET /threads/{id}/checkpoints", "GET", (id) => `/threads/${id}/checkpoints`),
  ...queryCases("GET /threads/{id}/checkpoints", "limit", hostileNumbers, (q, f) => ({
    method: "GET",
    path: `/threads/${f.threadId}/checkpoints?${q}`,
  })),
  ...textField("POST /threads/{id}/fork", "checkpointId", (v, f) => ({
    method: "POST",
    path: `/threads/${f.threadId}/fork`,
    body: json({ checkpointId: `${f.checkpointId}${v}` }),
  })),
  ...idRoutes("POST /threads/{id}/fork", "POST", (id) => `/threads/${id}/fork`).map((c) => ({
    ...c,
    request: (f: Fixtures) => ({ ...c.request(f), body: json({ checkpointId: f.checkpointId }) }),
  })),
  ...bodyCases(
    "POST /threads/{id}/fork",
    (f) => ({ method: "POST", path: `/threads/${f.threadId}/fork` }),
    (f) => ({
      checkpointId: f.checkpointId,
    }),
  ),
  ...textField(
    resume,
    "reject reason",
    (v, f) => resumeBody(f, { decision: { type: "reject", reason: v } }),
    "decision.reason",
  ),
  ...textField(
    resume,
    "edit args value",
    (v, f) => resumeBody(f, { decision: { type: "edit", args: { queries: [v] } } }),
    "decision.args.queries.0",
  ),
  ...textField(
    resume,
    "edit args key",
    (v, f) => resumeBody(f, { decision: { type: "edit", args: { [`q${v}`]: 1 } } }),
    "decision.args",
  ),
  ...textField(resume, "runId", (v, f) => resumeBody(f, { runId: `r${v}` })),
  {
    operation: resume,
    name: "edit args with __proto__",
    request: (f) => ({
      method: "POST",
      path: `/threads/${f.threadId}/resume`,
      body: '{"decision":{"type":"edit","args":{"__proto__":{"sql":"SELECT 1"}}}}',
    }),
    expect: invalid("decision.args", /__proto__/),
  },
  {
    operation: resume,
    name: `edit args nested ${DEEP} deep`,
    request: (f) => ({
      method: "POST",
      path: `/threads/${f.threadId}/resume`,
      body: json({ decision: { type: "edit", args: "@@d@@" } }, { d: deepObject() }),
    }),
    expect: invalid("(body)", /deeper than/),
  },
  ...idRoutes(resume, "POST", (id) => `/threads/${id}/resume`).map((c) => ({
    ...c,
    request: (f: Fixtures) => ({ ...c.request(f), body: json({ decision: { type: "approve" } }) }),
  })),
  ...bodyCases(
    resume,
    (f) => ({ method: "POST", path: `/threads/${f.threadId}/resume` }),
    () => ({
      decision: { type: "reject" },
    }),
  ),
  ...idRoutes("DELETE /threads/{id}", "DELETE", (id) => `/threads/${id}`),
  ...textField("PATCH /threads/{id}", "title", (v, f) => ({
    method: "PATCH",
    path: `/threads/${f.threadId}`,
    body: json({ title: `Renamed ${v}` }),
  })),
  ...pathIdCases("PATCH /threads/{id}", (id) => ({
    method: "PATCH",
    path: `/threads/${id}`,
    body: json({ title: "Renamed" }),
  })),
];

// ---- CopilotKit / AG-UI -----------------------------------------------------------------------------------

const aguiRun = "POST /copilotkit/agent/{agentId}/run";
const runInput = (over: Record<string, unknown> = {}) => ({
  threadId: "hostile-thread",
  runId: "hostile-run",
  messages: [{ id: "m1", role: "user", content: "What is the aurora budget?" }],
  ...over,
});
const aguiBody = (f: Fixtures, body: Record<string, unknown>): HostileRequest => ({
  method: "POST",
  path: `/copilotkit/agent/${f.agentId}/run`,
  body: json(body),
});
const resumeInput = (f: Fixtures, over: Record<string, unknown>) =>
  runInput({ threadId: f.threadId, runId: "hostile-resume", messages: [], ...over });
const aguiCases: HostileCase[] = [
  ...textField(
    aguiRun,
    "message content",
    (v, f) => aguiBody(f, runInput({ messages: [{ id: "m1", role: "user", content: v }] })),
    "messages.0.content",
  ),
  ...textField(
    aguiRun,
    "message text part",
    (v, f) =>
      aguiBody(f, runInput({ messages: [{ id: "m1", role: "user", content: [{ type: "text", text: v }] }] })),
    "messages.0.content.0.text",
  ),
  ...textField(
    aguiRun,
    "message id",
    (v, f) => aguiBody(f, runInput({ messages: [{ id: `m${v}`, role: "user", content: "Hi" }] })),
    "messages.0.id",
  ),
  ...textField(aguiRun, "threadId", (v, f) => aguiBody(f, runInput({ threadId: `t${v}` }))),
  ...textField(aguiRun, "runId", (v, f) => aguiBody(f, runInput({ runId: `r${v}` }))),
  ...textField(
    aguiRun,
    "resume payload reason",
    (v, f) =>
      aguiBody(
        f,
        resumeInput(f, {
          resume: [{ interruptId: "i1", status: "resolved", payload: { type: "reject", reason: v } }],
        }),
      ),
    "resume.0.payload.reason",
  ),
  ...textField(
    aguiRun,
    "legacy resume reason (JSON string)",
    (v, f) =>
      aguiBody(
        f,
        resumeInput(f, {
          forwardedProps: { command: { resume: JSON.stringify({ type: "reject", reason: v }) } },
        }),
      ),
    "forwardedProps.command.resume.reason",
  ),
  {
    operation: aguiRun,
    name: `state nested ${DEEP} deep`,
    request: (f) => ({
      method: "POST",
      path: `/copilotkit/agent/${f.agentId}/run`,
      body: json(runInput({ state: "@@d@@" }), { d: deepArray() }),
    }),
    expect: invalid("(body)", /deeper than/),
  },
  ...pathIdCases(aguiRun, (id) => ({
    method: "POST",
    path: `/copilotkit/agent/${id}/run`,
    body: json(runInput()),
  })),
  ...bodyCases(
    aguiRun,
    (f) => ({ method: "POST", path: `/copilotkit/agent/${f.agentId}/run` }),
    () => runInput(),
  ),
];

const connect = "POST /copilotkit/agent/{agentId}/connect";
const aguiConnectCases: HostileCase[] = [
  ...textField(connect, "threadId", (v, f) => ({
    method: "POST",
    path: `/copilotkit/agent/${f.agentId}/connect`,
    body: json(runInput({ threadId: `t${v}` })),
  })),
  ...pathIdCases(connect, (id) => ({
    method: "POST",
    path: `/copilotkit/agent/${id}/connect`,
    body: json(runInput()),
  })),
  ...bodyCases(
    connect,
    (f) => ({ method: "POST", path: `/copilotkit/agent/${f.agentId}/connect` }),
    (f) => runInput({ threadId: f.threadId }),
  ),
];

const stop = "POST /copilotkit/agent/{agentId}/stop/{threadId}";
const aguiStopCases: HostileCase[] = [
  // A thread id that cannot exist has no active run: nothing to stop (same answer as another tenant's thread).
  ...pathIdCases(
    stop,
    (id, f) => ({ method: "POST", path: `/copilotkit/agent/${f.agentId}/stop/${id}` }),
    ok(),
  ),
  ...textField(stop, "runId", (v, f) => ({
    method: "POST",
    path: `/copilotkit/agent/${f.agentId}/stop/${f.threadId}`,
    body: json({ runId: `r${v}` }),
  })),
  ...bodyCases(
    stop,
    (f) => ({ method: "POST", path: `/copilotkit/agent/${f.agentId}/stop/${f.threadId}` }),
    () => ({}),
  ).filter(
    // Media type: CopilotKit's stop request may come without a JSON body; anything but JSON is "no body".
    (c) => !/text\/plain|latin-1|empty/.test(c.name),
  ),
];

const envelope = "POST /copilotkit";
const envelopeBody = (over: Record<string, unknown>): HostileRequest => ({
  method: "POST",
  path: "/copilotkit",
  body: json({ method: "agent/run", params: { agentId: "default" }, ...over }),
});
const envelopeCases: HostileCase[] = [
  ...textField(envelope, "params.threadId", (v) =>
    envelopeBody({ method: "agent/stop", params: { agentId: "x", threadId: `t${v}` } }),
  ),
  ...textField(envelope, "params.agentId", (v) => envelopeBody({ params: { agentId: `a${v}` } })),
  ...textField(
    envelope,
    "body message",
    (v, f) =>
      envelopeBody({
        params: { agentId: f.agentId },
        body: runInput({ messages: [{ id: "m1", role: "user", content: v }] }),
      }),
    "body.messages.0.content",
  ),
  {
    operation: envelope,
    name: "unknown method",
    request: () => envelopeBody({ method: "agent/run\u0000" }),
    expect: invalid("method"),
  },
  ...bodyCases(
    envelope,
    () => ({ method: "POST", path: "/copilotkit" }),
    () => ({ method: "info" }),
  ),
];

// ---- connectors ------------------------------------------------------------------------------------------

const createConnector = "POST /connectors";
const connectorBody = (over: Record<string, unknown>): HostileRequest => ({
  method: "POST",
  path: "/connectors",
  body: json({ kind: "urls", name: "Handbook", config: { urls: ["http://127.0.0.1:9/a.html"] }, ...over }),
});
const patchConnector = "PATCH /connectors/{id}";
const patchBody = (f: Fixtures, over: Record<string, unknown>): HostileRequest => ({
  method: "PATCH",
  path: `/connectors/${f.connectorId}`,
  body: json(over),
});
const connectorCases: HostileCase[] = [
  ...textField(createConnector, "name", (v) => connectorBody({ name: v })),
  ...textField(
    createConnector,
    "config value",
    (v) => connectorBody({ config: { urls: [`http://127.0.0.1:9/${v}`] } }),
    "config.urls.0",
  ),
  ...textField(
    createConnector,
    "config key",
    (v) => connectorBody({ config: { urls: ["http://127.0.0.1:9/"], [`k${v}`]: 1 } }),
    "config",
  ),
  ...textField(
    createConnector,
    "credentials value",
    (v) => connectorBody({ credentials: { token: v } }),
    "credentials.token",
  ),
  {
    operation: createConnector,
    name: "kind with NUL",
    request: () => connectorBody({ kind: "urls\u0000" }),
    expect: invalid("kind"),
  },
  {
    operation: createConnector,
    name: "config with __proto__",
    request: () => ({
      method: "POST",
      path: "/connectors",
      body: '{"kind":"urls","name":"x","config":{"__proto__":{"urls":["http://127.0.0.1:9/"]}}}',
    }),
    expect: invalid("config", /__proto__/),
  },
  {
    operation: createConnector,
    name: `config nested ${DEEP} deep`,
    request: () => ({
      method: "POST",
      path: "/connectors",
      body: json({ kind: "urls", name: "x", config: "@@d@@" }, { d: deepObject() }),
    }),
    expect: invalid("(body)", /deeper than/),
  },
  ...bodyCases(
    createConnector,
    () => ({ method: "POST", path: "/connectors" }),
    () => ({
      kind: "urls",
      name: "Handbook",
      config: { urls: ["http://127.0.0.1:9/a.html"] },
    }),
  ),
  ignoredQuery("GET /connectors", "/connectors", false),
  ...idRoutes("GET /connectors/{id}", "GET", (id) => `/connectors/${id}`),
  ...textField(patchConnector, "name", (v, f) => patchBody(f, { name: v })),
  ...textField(
    patchConnector,
    "config value",
    (v, f) => patchBody(f, { config: { urls: [`http://127.0.0.1:9/${v}`] } }),
    "config.urls.0",
  ),
  ...pathIdCases(patchConnector, (id) => ({
    method: "PATCH",
    path: `/connectors/${id}`,
    body: json({ name: "x" }),
  })),
  ...bodyCases(
    patchConnector,
    (f) => ({ method: "PATCH", path: `/connectors/${f.connectorId}` }),
    () => ({ name: "Renamed" }),
  ),
  ...queryCases("DELETE /connectors/{id}", "deleteDocuments", ["\u0000", "yes", "TRUE "], (q, f) => ({
    method: "DELETE",
    path: `/connectors/${f.connectorId}?${q}`,
  })),
  ...idRoutes("DELETE /connectors/{id}", "DELETE", (id) => `/connectors/${id}`),
  ...idRoutes("POST /connectors/{id}/sync", "POST", (id) => `/connectors/${id}/sync`),
];

const publicCases: HostileCase[] = [
  ignoredQuery("GET /health", "/health", true),
  ignoredQuery("GET /ready", "/ready", true),
  ignoredQuery("GET /openapi.json", "/openapi.json", true),
  ignoredQuery("GET /copilotkit/info", "/copilotkit/info", true),
];

/** A verified token whose user id cannot be stored (it would be written with every audit row): 403. */
const identityCases: HostileCase[] = (
  [
    ["GET /documents", "GET", "/documents", undefined],
    ["POST /search", "POST", "/search", json({ query: "aurora" })],
    ["POST /chat/stream", "POST", "/chat/stream", json({ message: "Hello?" })],
    ["GET /datasets", "GET", "/datasets", undefined],
  ] as const
).flatMap(([operation, method, path, body]) =>
  (["nul", "loneSurrogate"] as const).map(
    (kind): HostileCase => ({
      operation,
      name: `token whose user id has ${kind}`,
      request: (f) => ({
        method,
        path,
        headers: { authorization: `Bearer ${f.hostileUserTokens[kind]}` },
        ...(body === undefined ? {} : { body }),
      }),
      expect: { status: 403, code: "forbidden" },
    }),
  ),
);

export const hostileCases: readonly HostileCase[] = [
  ...identityCases,
  ...publicCases,
  ...searchCases,
  ...listDocumentCases,
  ...uploadCases,
  ...documentIdCases,
  ...jobCases,
  ...auditCases,
  ...chatCases,
  ...runCases,
  ...threadCases,
  ...aguiCases,
  ...aguiConnectCases,
  ...aguiStopCases,
  ...envelopeCases,
  ...connectorCases,
];

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTenantContext, type KnowledgeStore } from "@ragkit/core";
import {
  auditListResponseSchema,
  documentContentResponseSchema,
  errorBodySchema,
  jobEventSchema,
  jobListResponseSchema,
  jobResponseSchema,
  uploadResponseSchema,
} from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRagHandler, type RagHandler } from "../src/index.js";
import { readSse } from "./sse.js";
import { openTestStore } from "./store.js";
import { type Served, serve } from "./support.js";
import { call, TEST_SECRET, tokenFor } from "./tokens.js";

const fixtures = join(import.meta.dirname, "..", "..", "core", "test", "fixtures");
const fixture = (name: string) => new Uint8Array(readFileSync(join(fixtures, name)));

let store: KnowledgeStore;
let handler: RagHandler;
let served: Served;
let tokenA: string;
let tokenB: string;

async function waitForJob(token: string, id: string) {
  // Reads the job's SSE stream to its terminal event: no polling loop, bounded by the job's own end.
  const res = await call(served.url, `/jobs/${id}/events`, { token });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events = await readEvents(res);
  return { events, last: events.at(-1)! };
}

async function readEvents(res: Response) {
  const { frames } = await readSse(res);
  return frames.map((f) => ({ id: f.id, event: f.event, data: JSON.parse(f.data) as unknown }));
}

function form(
  files: Array<[string, Uint8Array<ArrayBuffer> | string, string?]>,
  metadata?: string,
): FormData {
  const body = new FormData();
  for (const [name, data, type] of files) {
    body.append("file", new Blob([data], type ? { type } : {}), name);
  }
  if (metadata !== undefined) body.append("metadata", metadata);
  return body;
}

beforeAll(async () => {
  store = await openTestStore();
  await store.ensureTenant(createTenantContext({ tenantId: "tenant-a" }));
  await store.ensureTenant(createTenantContext({ tenantId: "tenant-b" }));
  handler = createRagHandler({
    store,
    auth: { jwtSecret: TEST_SECRET },
    ingestion: { maxFileBytes: 200_000, maxFiles: 3 },
  });
  served = await serve(handler);
  tokenA = await tokenFor("tenant-a", "alice");
  tokenB = await tokenFor("tenant-b", "bob");
});

afterAll(async () => {
  await served?.close();
  await handler?.close();
  await store?.close();
});

describe("POST /documents", () => {
  let pdfJob: string;
  let documentId: string;

  it("accepts several files as multipart and ingests them in the background (202 + job ids)", async () => {
    const res = await call(served.url, "/documents", {
      method: "POST",
      token: tokenA,
      body: form(
        [
          ["sample.pdf", fixture("sample.pdf"), "application/pdf"],
          ["notes.md", "# Aurora\n\nThe aurora budget is five million euros.\n", "text/markdown"],
        ],
        JSON.stringify({ team: "finance" }),
      ),
    });
    expect(res.status).toBe(202);
    const { jobs } = uploadResponseSchema.parse(await res.json());
    expect(jobs.map((j) => j.filename)).toEqual(["sample.pdf", "notes.md"]);
    pdfJob = jobs[0]!.jobId;
    const { events, last } = await waitForJob(tokenA, jobs[1]!.jobId);
    expect(events.map((e) => e.event)).toContain("progress");
    const payload = jobEventSchema.parse(last.data);
    expect(payload.state).toBe("done");
    const job = jobResponseSchema.parse(
      await (await call(served.url, `/jobs/${jobs[1]!.jobId}`, { token: tokenA })).json(),
    );
    expect(job.job).toMatchObject({ state: "done", filename: "notes.md", result: { outcome: "created" } });
    documentId = job.job.documentId!;
    const hits = await call(served.url, "/search", {
      method: "POST",
      token: tokenA,
      body: JSON.stringify({ query: "aurora budget" }),
    });
    const { results } = (await hits.json()) as { results: Array<{ documentId: string; metadata: unknown }> };
    expect(results.some((r) => r.documentId === documentId)).toBe(true);
  });

  it("replays missed job events after Last-Event-ID, then ends at the terminal state", async () => {
    const all = (await waitForJob(tokenA, pdfJob)).events;
    expect(all.length).toBeGreaterThan(2);
    const res = await call(served.url, `/jobs/${pdfJob}/events`, {
      token: tokenA,
      headers: { "last-event-id": all[1]!.id! },
    });
    const rest = await readEvents(res);
    expect(rest.map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));
  });

  it("accepts a JSON text document", async () => {
    const res = await call(served.url, "/documents", {
      method: "POST",
      token: tokenA,
      body: JSON.stringify({
        text: "# Leave\n\nEmployees get 25 days.",
        title: "Leave policy",
        format: "markdown",
      }),
    });
    expect(res.status).toBe(202);
    const { jobs } = uploadResponseSchema.parse(await res.json());
    expect(res.headers.get("location")).toBe(`/jobs/${jobs[0]!.jobId}`);
    expect((await waitForJob(tokenA, jobs[0]!.jobId)).last.data).toMatchObject({ state: "done" });
  });

  it("serves the extracted text that citations point into", async () => {
    const res = await call(served.url, `/documents/${documentId}/content`, { token: tokenA });
    const body = documentContentResponseSchema.parse(await res.json());
    expect(body.text).toContain("The aurora budget is five million euros.");
    expect(body.document.metadata).toMatchObject({ team: "finance" });
  });

  const rejections: Array<[string, () => RequestInit, number, string]> = [
    [
      "an unsupported file type (415)",
      () => ({ body: form([["image.png", fixture("binary.txt")]]) }),
      415,
      "unsupported_media_type",
    ],
    [
      "a file whose content contradicts its name (400)",
      () => ({ body: form([["report.pdf", "just text"]]) }),
      400,
      "invalid_input",
    ],
    ["an empty file", () => ({ body: form([["empty.txt", ""]]) }), 400, "invalid_input"],
    [
      "a file over maxFileBytes (413)",
      () => ({ body: form([["big.txt", "x".repeat(200_001)]]) }),
      413,
      "payload_too_large",
    ],
    [
      "more files than maxFiles",
      () => ({
        body: form([
          ["1.txt", "a"],
          ["2.txt", "b"],
          ["3.txt", "c"],
          ["4.txt", "d"],
        ]),
      }),
      400,
      "invalid_input",
    ],
    ["no file at all", () => ({ body: form([], JSON.stringify({ a: 1 })) }), 400, "invalid_input"],
    [
      "metadata that is not a JSON object",
      () => ({ body: form([["a.txt", "hello"]], "[1]") }),
      400,
      "invalid_input",
    ],
    [
      "a plain-text body (415)",
      () => ({ body: "hello", headers: { "content-type": "text/plain" } }),
      415,
      "unsupported_media_type",
    ],
    ["an empty JSON text", () => ({ body: JSON.stringify({ text: "" }) }), 400, "invalid_input"],
    [
      "unknown JSON fields (tenant_id)",
      () => ({ body: JSON.stringify({ text: "x", tenant_id: "tenant-b" }) }),
      400,
      "invalid_input",
    ],
  ];

  it.each(rejections)("rejects %s and queues nothing", async (_, init, status, code) => {
    const before = jobListResponseSchema.parse(
      await (await call(served.url, "/jobs?limit=100", { token: tokenA })).json(),
    );
    const res = await call(served.url, "/documents", { method: "POST", token: tokenA, ...init() });
    expect(res.status).toBe(status);
    const { error } = errorBodySchema.parse(await res.json());
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(5);
    const after = jobListResponseSchema.parse(
      await (await call(served.url, "/jobs?limit=100", { token: tokenA })).json(),
    );
    expect(after.jobs.length).toBe(before.jobs.length);
  });

  it("reindexes a document from its stored text (202 + job)", async () => {
    const res = await call(served.url, `/documents/${documentId}/reindex`, { method: "POST", token: tokenA });
    expect(res.status).toBe(202);
    const { job } = jobResponseSchema.parse(await res.json());
    expect((await waitForJob(tokenA, job.id)).last.data).toMatchObject({ state: "done" });
    const done = jobResponseSchema.parse(
      await (await call(served.url, `/jobs/${job.id}`, { token: tokenA })).json(),
    );
    expect(done.job).toMatchObject({ documentId, result: { outcome: "replaced" } });
  });

  describe("tenant isolation", () => {
    it("answers 404 to tenant B for each of tenant A's ids, exactly like a missing id", async () => {
      const missingDoc = "00000000-0000-0000-0000-000000000000";
      const jobs = jobListResponseSchema.parse(
        await (await call(served.url, "/jobs", { token: tokenA })).json(),
      );
      const jobId = jobs.jobs[0]!.id;
      const probes: Array<[string, string]> = [
        ["GET", `/documents/${documentId}/content`],
        ["DELETE", `/documents/${documentId}`],
        ["POST", `/documents/${documentId}/reindex`],
        ["GET", `/jobs/${jobId}`],
        ["GET", `/jobs/${jobId}/events`],
        ["POST", `/jobs/${jobId}/cancel`],
        ["POST", `/jobs/${jobId}/retry`],
      ];
      for (const [method, path] of probes) {
        const theirs = await call(served.url, path, { method, token: tokenB });
        const missing = await call(
          served.url,
          path.replace(documentId, missingDoc).replace(jobId, missingDoc),
          {
            method,
            token: tokenB,
          },
        );
        expect([path, theirs.status]).toEqual([path, 404]);
        const a = errorBodySchema.parse(await theirs.json()).error;
        const b = errorBodySchema.parse(await missing.json()).error;
        expect({ code: a.code, message: a.message }).toEqual({ code: b.code, message: b.message });
      }
      // Still there for its owner.
      expect((await call(served.url, `/documents/${documentId}/content`, { token: tokenA })).status).toBe(
        200,
      );
    });

    it("never mixes job lists or audit trails", async () => {
      const jobsB = jobListResponseSchema.parse(
        await (await call(served.url, "/jobs", { token: tokenB })).json(),
      );
      expect(jobsB.jobs).toEqual([]);
      const auditB = auditListResponseSchema.parse(
        await (await call(served.url, "/audit", { token: tokenB })).json(),
      );
      expect(auditB.records.every((r) => r.userId === "bob")).toBe(true);
    });
  });

  it("records uploads, reads, deletes and denied look-ups in the tenant's own audit log", async () => {
    const del = await call(served.url, `/documents/${documentId}`, { method: "DELETE", token: tokenA });
    expect(del.status).toBe(204);
    expect((await call(served.url, `/documents/${documentId}`, { token: tokenA })).status).toBe(404);
    const res = await call(served.url, "/audit?limit=200", { token: tokenA });
    const { records } = auditListResponseSchema.parse(await res.json());
    const actions = new Set(records.map((r) => r.action));
    for (const action of [
      "document.upload",
      "document.read",
      "document.reindex",
      "document.delete",
      "search",
    ]) {
      expect(actions).toContain(action);
    }
    expect(records.every((r) => r.userId === "alice")).toBe(true);
    const page = auditListResponseSchema.parse(
      await (await call(served.url, "/audit?limit=2", { token: tokenA })).json(),
    );
    expect(page.records).toHaveLength(2);
    const next = auditListResponseSchema.parse(
      await (await call(served.url, `/audit?limit=2&before=${page.nextBefore}`, { token: tokenA })).json(),
    );
    expect(BigInt(next.records[0]!.id)).toBeLessThan(BigInt(page.records[1]!.id));
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pagesFrom, sectionsFrom } from "../../src/ingest/reindex.js";
import { IngestionQueue } from "../../src/jobs/queue.js";
import type { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import {
  type DriverKind,
  driverKinds,
  openStore,
  startDatabase,
  type TestDatabase,
} from "../support/databases.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "..", "fixtures", name));

describe.each(driverKinds)("reindex from stored text (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  const acme = createTenantContext({ tenantId: "acme", userId: "alice" });
  const globex = createTenantContext({ tenantId: "globex", userId: "bob" });

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await openStore(db);
    await store.ensureTenant(acme);
    await store.ensureTenant(globex);
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("re-chunks with new settings, keeping pages, sections, ids and source", async () => {
    const first = new IngestionQueue(store, { retryBaseMs: 0 });
    const upload = await first.enqueue(acme, {
      data: fixture("sample.pdf"),
      filename: "sample.pdf",
      sourceId: "s-1",
    });
    await first.drain();
    const done = await first.get(acme, upload.id);
    expect(done.state).toBe("done");
    const documentId = done.documentId!;
    const before = await store.listChunks(acme, documentId);

    const smaller = new IngestionQueue(store, { retryBaseMs: 0, ingest: { chunking: { chunkSize: 32 } } });
    const job = await smaller.enqueueReindex(acme, documentId);
    expect(job.input.reindexOf).toBe(documentId);
    await smaller.drain();
    const reindexed = await smaller.get(acme, job.id);
    expect(reindexed).toMatchObject({ state: "done", documentId, result: { outcome: "replaced" } });

    const after = await store.listChunks(acme, documentId);
    expect(after.length).toBeGreaterThan(before.length);
    const { text, document } = await store.getDocumentText(acme, documentId);
    expect(document.sourceId).toBe("s-1");
    for (const c of after) expect(text.slice(c.start, c.end)).toBe(c.text);
    // Every character keeps its page: a new chunk's page is the page its start had before.
    const pageAt = (offset: number) => before.findLast((c) => c.start <= offset)?.pageNumber ?? null;
    for (const c of after) expect(c.pageNumber).toBe(pageAt(c.start));
    expect(new Set(after.map((c) => c.pageNumber))).toEqual(new Set(before.map((c) => c.pageNumber)));
  });

  it("treats another tenant's document as missing", async () => {
    const queue = new IngestionQueue(store);
    const [doc] = (await store.listDocuments(acme, {})).documents;
    await expect(queue.enqueueReindex(globex, doc!.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(queue.enqueueReindex(acme, "00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("rebuilds page and section spans from consecutive chunks", () => {
    const chunk = (start: number, end: number, pageNumber: number | null, sectionTitle: string | null) => ({
      id: "c",
      documentId: "d",
      chunkIndex: 0,
      text: "",
      start,
      end,
      pageNumber,
      sectionTitle,
      metadata: {},
    });
    const chunks = [
      chunk(0, 10, 1, "A"),
      chunk(8, 20, 1, "A"),
      chunk(22, 30, 2, "B"),
      chunk(30, 40, null, null),
    ];
    expect(pagesFrom(chunks)).toEqual([
      { pageNumber: 1, start: 0, end: 20 },
      { pageNumber: 2, start: 22, end: 30 },
    ]);
    expect(sectionsFrom(chunks)).toEqual([
      { title: "A", level: 1, start: 0, end: 20 },
      { title: "B", level: 1, start: 22, end: 30 },
    ]);
  });
});

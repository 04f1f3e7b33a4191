import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OfflineEmbedder } from "../../src/embeddings/offline.js";
import type { Embedder } from "../../src/embeddings/types.js";
import { RagKitError } from "../../src/errors/index.js";
import { IngestionQueue } from "../../src/jobs/queue.js";
import type { JobEvent } from "../../src/jobs/types.js";
import { getUsage } from "../../src/jobs/usage.js";
import type { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import {
  type DriverKind,
  driverKinds,
  openStore,
  startDatabase,
  type TestDatabase,
} from "../support/databases.js";

const fixtures = join(import.meta.dirname, "..", "fixtures");
const fixture = (name: string) => readFileSync(join(fixtures, name));
const md = (text: string) => new TextEncoder().encode(text);

/** Wraps the offline embedder so tests can inject failures or stalls; same name, so the store accepts it. */
class ControlledEmbedder implements Embedder {
  readonly inner = new OfflineEmbedder();
  readonly name = this.inner.name;
  readonly dimension = this.inner.dimension;
  failNext = 0;
  stall: Promise<void> | null = null;
  calls = 0;
  async embed(texts: readonly string[], options?: { signal?: AbortSignal }) {
    this.calls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new RagKitError("provider_error", "upstream 503");
    }
    if (this.stall) {
      await Promise.race([
        this.stall,
        new Promise((_, reject) =>
          options?.signal?.addEventListener("abort", () => reject(new RagKitError("aborted", "aborted")), {
            once: true,
          }),
        ),
      ]);
    }
    return this.inner.embed(texts);
  }
}

describe.each(driverKinds)("durable ingestion jobs (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  let embedder: ControlledEmbedder;
  let queue: IngestionQueue;
  let n = 0;
  const tenant = async () => {
    const ctx = createTenantContext({ tenantId: `jobs-${++n}`, userId: "uploader" });
    await store.ensureTenant(ctx);
    return ctx;
  };

  beforeAll(async () => {
    db = await startDatabase(kind);
    embedder = new ControlledEmbedder();
    store = await openStore(db, { embedder });
    queue = new IngestionQueue(store, { retryBaseMs: 0, pollIntervalMs: 50, workerId: "w1" });
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("runs a job through every state with monotonic progress, and records usage", async () => {
    const ctx = await tenant();
    const job = await queue.enqueue(ctx, {
      data: fixture("sample.md"),
      filename: "sample.md",
      sourceId: "docs/sample.md",
    });
    expect(job).toMatchObject({
      state: "queued",
      progress: 0,
      attempts: 0,
      tenantId: ctx.tenantId,
      createdBy: "uploader",
    });
    const events: JobEvent[] = [];
    const streaming = (async () => {
      for await (const e of queue.events(ctx, job.id)) events.push(e);
    })();
    const done = await queue.runOnce();
    await streaming;
    expect(done).toMatchObject({ id: job.id, state: "done", progress: 1, attempts: 1, lastError: null });
    expect(done!.result).toMatchObject({ outcome: "created" });
    expect(events.map((e) => e.state).filter((s, i, a) => a[i - 1] !== s)).toEqual([
      "queued",
      "parsing",
      "chunking",
      "embedding",
      "indexing",
      "done",
    ]);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.progress).toBeGreaterThanOrEqual(events[i - 1]!.progress);
    const doc = await store.getDocument(ctx, done!.documentId!);
    expect(doc).toMatchObject({ sourceId: "docs/sample.md", source: "upload", uploadedBy: "uploader" });
    const usage = await getUsage(store, ctx);
    expect(usage.totalTokens).toBeGreaterThan(0);
    expect(usage.documents).toBe(1);
    expect((await getUsage(store, ctx, { documentId: doc.id })).totalTokens).toBe(usage.totalTokens);
    const payload = await store.withTenant(ctx, (tx) =>
      tx.query<{ p: boolean }>("SELECT payload IS NULL AS p FROM ragkit.jobs WHERE id = $1", [job.id]),
    );
    expect(payload[0]!.p).toBe(true);
    // A resumed stream after the last event yields nothing more and ends (terminal state already seen).
    const tail: JobEvent[] = [];
    for await (const e of queue.events(ctx, job.id, { afterId: events.at(-2)!.id })) tail.push(e);
    expect(tail.map((e) => e.state)).toEqual(["done"]);
  });

  it("re-ingesting identical content creates no duplicates; changed content replaces", async () => {
    const ctx = await tenant();
    const first = await queue.enqueue(ctx, {
      data: md("# A\n\nAlpha beta gamma."),
      filename: "a.md",
      sourceId: "a.md",
    });
    await queue.drain();
    const callsBefore = embedder.calls;
    const again = await queue.enqueue(ctx, {
      data: md("# A\n\nAlpha beta gamma."),
      filename: "a.md",
      sourceId: "a.md",
    });
    await queue.drain();
    expect((await queue.get(ctx, again.id)).result?.outcome).toBe("unchanged");
    expect(embedder.calls).toBe(callsBefore); // identical content is not embedded again
    const changed = await queue.enqueue(ctx, {
      data: md("# A\n\nDelta epsilon."),
      filename: "a.md",
      sourceId: "a.md",
    });
    await queue.drain();
    const finalJob = await queue.get(ctx, changed.id);
    expect(finalJob.result?.outcome).toBe("replaced");
    expect(finalJob.documentId).toBe((await queue.get(ctx, first.id)).documentId);
    expect((await store.listDocuments(ctx)).documents).toHaveLength(1);
    const hits = await store.search(ctx, { query: "alpha", mode: "lexical" });
    expect(hits).toHaveLength(0);
    expect((await getUsage(store, ctx)).documents).toBe(1);
  });

  it("fails bad files with a clear reason, leaves no partial chunks, and does not disturb other jobs", async () => {
    const ctx = await tenant();
    const bad = await queue.enqueue(ctx, { data: fixture("corrupt.pdf"), filename: "corrupt.pdf" });
    const good = await queue.enqueue(ctx, { data: md("Good content about llamas."), filename: "good.txt" });
    const empty = await queue.enqueue(ctx, { data: fixture("binary.txt"), filename: "binary.txt" });
    await queue.drain();
    const failed = await queue.get(ctx, bad.id);
    expect(failed).toMatchObject({ state: "failed", attempts: 1, errorCode: "invalid_input" });
    expect(failed.lastError).toMatch(/PDF/);
    expect((await queue.get(ctx, empty.id)).state).toBe("failed");
    expect((await queue.get(ctx, good.id)).state).toBe("done");
    expect((await store.listDocuments(ctx)).documents).toHaveLength(1);
    const chunks = await store.withTenant(ctx, (tx) =>
      tx.query<{ n: number }>("SELECT count(*)::int AS n FROM ragkit.chunks"),
    );
    expect(chunks[0]!.n).toBe((await store.listDocuments(ctx)).documents[0]!.chunkCount);
  });

  it("ends every kind of bad file as a failed job with a clear reason", async () => {
    const ctx = await tenant();
    const bad = ["corrupt.pdf", "encrypted.pdf", "not-a-zip.docx", "binary.txt", "invalid-utf8.txt"];
    const jobs = [];
    for (const name of bad) jobs.push(await queue.enqueue(ctx, { data: fixture(name), filename: name }));
    await queue.drain();
    for (const [i, job] of jobs.entries()) {
      const final = await queue.get(ctx, job.id);
      expect(final.state, bad[i]).toBe("failed");
      expect(final.attempts, bad[i]).toBe(1); // permanent errors are not retried
      expect(final.errorCode, bad[i]).toMatch(/^(invalid_input|unsupported_type)$/);
      expect(final.lastError?.length, bad[i]).toBeGreaterThan(10);
    }
    expect((await store.listDocuments(ctx)).documents).toHaveLength(0);
  });

  it("retries transient failures with backoff and then succeeds", async () => {
    const ctx = await tenant();
    embedder.failNext = 1;
    const job = await queue.enqueue(ctx, { data: md("Transient failures are retried."), filename: "t.txt" });
    await queue.drain();
    const final = await queue.get(ctx, job.id);
    expect(final).toMatchObject({ state: "done", attempts: 2 });
    const events: JobEvent[] = [];
    for await (const e of queue.events(ctx, job.id)) events.push(e);
    expect(events.some((e) => e.state === "queued" && /attempt 1 failed.*503/.test(e.message ?? ""))).toBe(
      true,
    );
  });

  it("gives up after max attempts", async () => {
    const ctx = await tenant();
    embedder.failNext = 5;
    const job = await queue.enqueue(ctx, { data: md("Always failing."), filename: "f.txt", maxAttempts: 2 });
    await queue.drain();
    embedder.failNext = 0;
    expect(await queue.get(ctx, job.id)).toMatchObject({
      state: "failed",
      attempts: 2,
      errorCode: "provider_error",
    });
    const retried = await queue.retry(ctx, job.id);
    expect(retried.state).toBe("queued");
    await queue.drain();
    expect((await queue.get(ctx, job.id)).state).toBe("done");
  });

  it("takes over a job whose worker died (expired lease)", async () => {
    const ctx = await tenant();
    const job = await queue.enqueue(ctx, { data: md("Crash me."), filename: "c.txt" });
    // Simulate a worker that claimed the job and died mid-embedding.
    await store.withTenant(ctx, (tx) =>
      tx.query(
        "UPDATE ragkit.jobs SET state = 'embedding', attempts = 1, locked_by = 'dead-worker', locked_until = now() - interval '1 second' WHERE id = $1",
        [job.id],
      ),
    );
    const other = new IngestionQueue(store, { workerId: "w2", retryBaseMs: 0 });
    const final = await other.runOnce();
    expect(final).toMatchObject({ id: job.id, state: "done", attempts: 2 });
    const events: JobEvent[] = [];
    for await (const e of queue.events(ctx, job.id)) events.push(e);
    expect(events.some((e) => /resumed after an interrupted attempt/.test(e.message ?? ""))).toBe(true);
  });

  it("does not take over a job whose lease is still alive", async () => {
    const ctx = await tenant();
    const job = await queue.enqueue(ctx, { data: md("Busy."), filename: "b.txt" });
    await store.withTenant(ctx, (tx) =>
      tx.query(
        "UPDATE ragkit.jobs SET state = 'embedding', attempts = 1, locked_by = 'alive', locked_until = now() + interval '1 hour' WHERE id = $1",
        [job.id],
      ),
    );
    expect(await queue.runOnce()).toBeNull();
    await queue.cancel(ctx, job.id);
  });

  it("cancels queued and running jobs; a cancelled run writes no document", async () => {
    const ctx = await tenant();
    const queued = await queue.enqueue(ctx, { data: md("Never processed."), filename: "q.txt" });
    expect((await queue.cancel(ctx, queued.id)).state).toBe("cancelled");
    expect(await queue.runOnce()).toBeNull();

    let release!: () => void;
    embedder.stall = new Promise<void>((r) => {
      release = r;
    });
    const running = await queue.enqueue(ctx, { data: md("Stalls in embedding."), filename: "s.txt" });
    const processing = queue.runOnce();
    for await (const e of queue.events(ctx, running.id)) {
      if (e.state === "embedding") break;
    }
    await queue.cancel(ctx, running.id);
    release();
    embedder.stall = null;
    const final = await processing;
    expect(final).toMatchObject({ state: "cancelled", documentId: null });
    expect((await store.listDocuments(ctx)).documents).toHaveLength(0);
  });

  it("two workers drain one queue without processing any job twice", async () => {
    const ctx = await tenant();
    const jobs = [];
    for (let i = 0; i < 12; i++)
      jobs.push(
        await queue.enqueue(ctx, {
          data: md(`Document number ${i} about topic ${i}.`),
          filename: `${i}.txt`,
        }),
      );
    const a = new IngestionQueue(store, { workerId: "worker-a" });
    const b = new IngestionQueue(store, { workerId: "worker-b" });
    const [na, nb] = await Promise.all([a.drain(), b.drain()]);
    expect(na + nb).toBe(12);
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    for (const j of jobs) expect(await queue.get(ctx, j.id)).toMatchObject({ state: "done", attempts: 1 });
    const doneEvents = await store.withTenant(ctx, (tx) =>
      tx.query<{ job_id: string; n: number }>(
        "SELECT job_id, count(*)::int AS n FROM ragkit.job_events WHERE state = 'done' GROUP BY job_id",
      ),
    );
    expect(doneEvents).toHaveLength(12);
    for (const r of doneEvents) expect(r.n).toBe(1);
  });

  it("keeps jobs tenant-scoped", async () => {
    const a = await tenant();
    const b = await tenant();
    const job = await queue.enqueue(a, { data: md("Private."), filename: "p.txt" });
    await expect(queue.get(b, job.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(queue.cancel(b, job.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(queue.events(b, job.id).next()).rejects.toMatchObject({ code: "not_found" });
    expect(await queue.list(b)).toHaveLength(0);
    await queue.drain();
  });

  it("refuses oversized and invalid uploads before storing them", async () => {
    const ctx = await tenant();
    const small = new IngestionQueue(store, { maxBytes: 10 });
    await expect(
      small.enqueue(ctx, { data: md("more than ten bytes"), filename: "x.txt" }),
    ).rejects.toMatchObject({ code: "too_large" });
    await expect(queue.enqueue(ctx, { data: new Uint8Array(), filename: "x.txt" })).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(queue.enqueue(ctx, { data: "text" as never })).rejects.toMatchObject({
      code: "invalid_input",
    });
    expect(await queue.list(ctx)).toHaveLength(0);
  });
});

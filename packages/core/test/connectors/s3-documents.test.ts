import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TenantContext } from "../../src/tenant/context.js";
import { collect, failures, type Harness, startHarness } from "./helpers.js";
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from "./s3-server.js";

const BUCKET = "ragkit-small";
const UNUSUAL = ["with space.txt", "ünïcödé/日本語.md", "a+b.txt", "100%.txt", "q?x=1&y#2.txt"];
const UNSUPPORTED = "images/picture.png";
const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);

/** A small bucket followed all the way into documents: create, replace, delete. */
describe("S3 connector into documents (s3rver)", () => {
  let h: Harness;
  let s3: TestS3;
  let ctx: TenantContext;
  let id: string;

  const documents = async () =>
    h.store.withTenant(ctx, (tx) =>
      tx.query<{
        source_id: string;
        source: string;
        source_url: string;
        text: string;
        metadata: { version: string };
      }>(
        `SELECT source_id, source, source_url, text, metadata FROM ${h.store.schema}.documents ORDER BY source_id`,
      ),
    );

  beforeAll(async () => {
    [h, s3] = await Promise.all([startHarness(), startS3([BUCKET])]);
    ctx = await h.tenant();
    for (const k of UNUSUAL) await s3.put(BUCKET, k, `Unusual key ${k}: about aardvarks.`);
    await s3.put(BUCKET, UNSUPPORTED, PNG);
    await s3.put(BUCKET, "folder/", "");
    id = (
      await h.service.create(ctx, {
        kind: "s3",
        name: "small",
        config: { bucket: BUCKET, endpoint: s3.endpoint, forcePathStyle: true },
        credentials: S3RVER_CREDENTIALS,
      })
    ).id;
  });
  afterAll(async () => {
    await Promise.all([h?.stop(), s3?.stop()]);
  });

  it("ingests objects with unusual key names as documents keyed <connectorId>:<key>, and refuses an unsupported type", async () => {
    const { events, summary } = await collect(h.service.sync(ctx, id));
    expect(summary).toMatchObject({ status: "partial", created: UNUSUAL.length, failed: 1 });
    expect(failures(events)).toEqual([
      expect.objectContaining({
        key: UNSUPPORTED,
        code: "unsupported_type",
        message: expect.stringMatching(/Unsupported document type/),
      }),
    ]);
    expect(await h.queue.drain()).toBe(UNUSUAL.length);
    expect(await h.service.reconcile(ctx, id)).toEqual([]);
    const docs = await documents();
    expect(docs.map((d) => d.source_id)).toEqual(UNUSUAL.map((k) => `${id}:${k}`).sort());
    for (const d of docs) {
      const key = d.source_id.slice(id.length + 1);
      expect(d.source).toBe("s3");
      expect(d.text).toContain(`Unusual key ${key}`);
      expect(d.source_url.startsWith(`${s3.endpoint}/${BUCKET}/`)).toBe(true);
      expect(d.metadata.version).toMatch(/^"[0-9a-f]{32}"$/);
    }
    const objects = await h.service.objects(ctx, id);
    expect(objects.filter((o) => o.documentId).length).toBe(UNUSUAL.length);
    expect(objects.find((o) => o.key === UNSUPPORTED)).toMatchObject({
      errorCode: "unsupported_type",
      documentId: null,
    });
  });

  it("replaces the document of a changed object and deletes the document of a removed one", async () => {
    await s3.put(BUCKET, UNUSUAL[1]!, "# Rewritten\n\nNow about okapis and zebras.");
    await s3.remove(BUCKET, UNUSUAL[0]!);
    const { summary } = await collect(h.service.sync(ctx, id));
    expect(summary).toMatchObject({ updated: 1, deleted: 1, created: 0, fetched: 1, failed: 0 });
    expect(await h.queue.drain()).toBe(1);
    const docs = await documents();
    expect(docs).toHaveLength(UNUSUAL.length - 1);
    expect(docs.some((d) => d.source_id === `${id}:${UNUSUAL[0]}`)).toBe(false);
    expect(docs.find((d) => d.source_id === `${id}:${UNUSUAL[1]}`)?.text).toContain("okapis and zebras");
    const hits = await h.store.search(ctx, { query: "okapis zebras", topK: 1, mode: "lexical" });
    expect(hits[0]?.sourceId).toBe(`${id}:${UNUSUAL[1]}`);
  });

  it("a job that fails for a transient reason is fetched again by the next sync", async () => {
    await s3.put(BUCKET, "later.txt", "Text that will be ingested on the second try.");
    const first = await collect(h.service.sync(ctx, id));
    expect(first.summary.created).toBe(1);
    // Simulate a worker giving up (e.g. the embedding provider was down) on the queued job.
    await h.store.withTenant(ctx, (tx) =>
      tx.query(
        `UPDATE ${h.store.schema}.jobs SET state = 'failed', error_code = 'provider_error', last_error = 'upstream 503'
         WHERE id = $1`,
        [first.summary.jobIds[0]],
      ),
    );
    const failed = await h.service.reconcile(ctx, id);
    expect(failed).toEqual([{ key: "later.txt", code: "provider_error", message: "upstream 503" }]);
    const second = await collect(h.service.sync(ctx, id));
    expect(second.summary).toMatchObject({ updated: 1, fetched: 1 });
    expect(await h.queue.drain()).toBe(1);
    expect((await documents()).some((d) => d.source_id === `${id}:later.txt`)).toBe(true);
  });
});

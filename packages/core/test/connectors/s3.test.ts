import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectorError } from "../../src/connectors/errors.js";
import type { SyncEvent } from "../../src/connectors/types.js";
import type { TenantContext } from "../../src/tenant/context.js";
import { collect, failures, type Harness, startHarness } from "./helpers.js";
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from "./s3-server.js";

/**
 * Listing, change detection and resumption at scale (more than one 1,000-key page). The jobs are left
 * queued here (ingesting a thousand files is the queue's business, tested elsewhere); s3-documents.test.ts
 * follows a small bucket all the way into documents.
 */
const BUCKET = "ragkit-many";
const PLAIN = 1_040;
const OVERSIZE = "big/oversize.txt";
const MAX_BYTES = 4096;
const TOTAL = PLAIN + 1;

const plainKey = (i: number) => `docs/${String(i).padStart(4, "0")}.txt`;

describe("S3 connector at scale against a real S3-compatible server (s3rver)", () => {
  let h: Harness;
  let s3: TestS3;
  let ctx: TenantContext;
  let connectorId: string;

  const config = (extra: Record<string, unknown> = {}) => ({
    bucket: BUCKET,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    maxBytes: MAX_BYTES,
    maxAttempts: 1,
    ...extra,
  });

  beforeAll(async () => {
    [h, s3] = await Promise.all([startHarness(), startS3([BUCKET])]);
    ctx = await h.tenant();
    const puts: Array<[string, string]> = [
      ...Array.from({ length: PLAIN }, (_, i): [string, string] => [plainKey(i), `Document number ${i}.`]),
      [OVERSIZE, "x".repeat(MAX_BYTES + 1)],
    ];
    for (let i = 0; i < puts.length; i += 32) {
      await Promise.all(puts.slice(i, i + 32).map(([k, body]) => s3.put(BUCKET, k, body)));
    }
    const created = await h.service.create(ctx, {
      kind: "s3",
      name: "many",
      config: config(),
      credentials: S3RVER_CREDENTIALS,
    });
    connectorId = created.id;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([h?.stop(), s3?.stop()]);
  });

  it("lists past 1,000 objects and enqueues one job per object with its source metadata", {
    timeout: 180_000,
  }, async () => {
    const before = await s3.gets();
    const { events, summary } = await collect(h.service.sync(ctx, connectorId));
    expect(events[0]).toMatchObject({ type: "started", resumed: false });
    expect(events.filter((e) => e.type === "page")).toHaveLength(2);
    expect(summary).toMatchObject({
      status: "partial",
      listed: TOTAL,
      created: PLAIN,
      failed: 1,
      fetched: PLAIN,
    });
    expect(summary.jobIds).toHaveLength(PLAIN);
    // The oversize object is refused from its listed size: never downloaded.
    expect((await s3.gets()) - before).toBe(PLAIN);
    expect(failures(events)).toEqual([
      expect.objectContaining({
        key: OVERSIZE,
        code: "too_large",
        message: expect.stringMatching(/limit is 4096/),
      }),
    ]);
    const jobs = await h.store.withTenant(ctx, (tx) =>
      tx.query<{
        input: { source: string; sourceId: string; filename: string; metadata: Record<string, string> };
      }>(`SELECT input FROM ${h.store.schema}.jobs WHERE state = 'queued' ORDER BY input->>'sourceId'`),
    );
    expect(jobs).toHaveLength(PLAIN);
    expect(jobs[0]!.input).toMatchObject({
      source: "s3",
      sourceId: `${connectorId}:${plainKey(0)}`,
      filename: "0000.txt",
      metadata: {
        connectorId,
        connectorKind: "s3",
        objectKey: plainKey(0),
        version: expect.stringMatching(/^"/),
      },
    });
  });

  it("re-syncs with no changes without fetching or enqueueing anything", async () => {
    const before = await s3.gets();
    const { summary } = await collect(h.service.sync(ctx, connectorId));
    expect(summary).toMatchObject({
      status: "succeeded",
      listed: TOTAL,
      unchanged: TOTAL,
      created: 0,
      updated: 0,
    });
    expect(summary).toMatchObject({ deleted: 0, failed: 0, fetched: 0, jobIds: [] });
    expect((await s3.gets()) - before).toBe(0);
    // The permanent failure stays on record until the object changes.
    expect((await h.service.objects(ctx, connectorId, { failedOnly: true })).map((o) => o.key)).toEqual([
      OVERSIZE,
    ]);
  });

  it("detects changed ETags and deletions across pages, cancelling the queued jobs of deleted objects", async () => {
    await s3.put(BUCKET, plainKey(1), "Rewritten first document.");
    await s3.put(BUCKET, plainKey(1_020), "Rewritten document on the second page.");
    for (const k of [plainKey(2), plainKey(1_030)]) await s3.remove(BUCKET, k);
    await s3.put(BUCKET, OVERSIZE, "now small enough");
    const before = await s3.gets();
    const { events, summary } = await collect(h.service.sync(ctx, connectorId));
    expect(summary).toMatchObject({
      status: "succeeded",
      updated: 3,
      deleted: 2,
      created: 0,
      failed: 0,
      fetched: 3,
    });
    expect((await s3.gets()) - before).toBe(3);
    const actions = events.flatMap((e) => (e.type === "object" ? [`${e.action} ${e.key}`] : [])).sort();
    expect(actions).toEqual(
      [
        `updated ${plainKey(1)}`,
        `updated ${plainKey(1_020)}`,
        `updated ${OVERSIZE}`,
        `deleted ${plainKey(2)}`,
        `deleted ${plainKey(1_030)}`,
      ].sort(),
    );
    const states = await h.store.withTenant(ctx, (tx) =>
      tx.query<{ state: string }>(
        `SELECT state FROM ${h.store.schema}.jobs WHERE input->>'sourceId' = ANY($1::text[])`,
        [[plainKey(2), plainKey(1_030)].map((k) => `${connectorId}:${k}`)],
      ),
    );
    expect(states.map((s) => s.state)).toEqual(["cancelled", "cancelled"]);
  });

  it("cancels mid-page and resumes from the stored cursor without fetching anything twice", {
    timeout: 120_000,
  }, async () => {
    const c = await h.service.create(ctx, {
      kind: "s3",
      name: "paged",
      config: config({ prefix: "docs/", pageSize: 100 }),
      credentials: S3RVER_CREDENTIALS,
    });
    const controller = new AbortController();
    let objects = 0;
    const first = await collect(
      h.service.sync(ctx, c.id, { signal: controller.signal, concurrency: 4 }),
      (e) => {
        if (e.type === "object" && ++objects === 150) controller.abort();
      },
    );
    expect(first.summary.status).toBe("cancelled");
    expect(first.events.at(-1)?.type).toBe("cancelled");
    expect(first.summary.created).toBeGreaterThanOrEqual(150);
    expect(first.summary.created).toBeLessThan(200);
    expect((await h.service.get(ctx, c.id)).lastSync.status).toBe("cancelled");
    const before = await s3.gets();
    const second = await collect(h.service.sync(ctx, c.id));
    const docs = PLAIN - 2; // two deleted by the previous test
    expect(second.summary).toMatchObject({ status: "succeeded", resumed: true, runId: first.summary.runId });
    // Resumed at the interrupted second page: its objects enqueued before the cancel are unchanged now.
    expect(second.summary.created).toBe(docs - first.summary.created);
    expect(second.summary.unchanged).toBe(first.summary.created - 100);
    expect(second.summary.listed).toBe(docs - 100);
    expect((await s3.gets()) - before).toBe(docs - first.summary.created);
    const jobs = await h.store.withTenant(ctx, (tx) =>
      tx.query<{ n: number; distinct: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT input->>'sourceId')::int AS distinct FROM ${h.store.schema}.jobs
         WHERE starts_with(input->>'sourceId', $1)`,
        [`${c.id}:`],
      ),
    );
    expect(jobs[0]).toEqual({ n: docs, distinct: docs });
    // A third sync starts a new run.
    const third = await collect(h.service.sync(ctx, c.id));
    expect(third.summary).toMatchObject({ resumed: false, unchanged: docs, fetched: 0 });
  });

  it("fails with a clear connector error and no secret: wrong credentials, missing bucket, unreachable endpoint", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSUPERSECRET";
    const cases: Array<[Record<string, unknown>, Record<string, string>, string, RegExp]> = [
      [
        config(),
        { accessKeyId: "AKIAWRONGKEY", secretAccessKey: secret },
        "auth_failed",
        /rejected the credentials/,
      ],
      [
        config({ bucket: "no-such-bucket" }),
        { accessKeyId: "S3RVER", secretAccessKey: secret },
        "source_not_found",
        /does not exist/,
      ],
      [
        config({ endpoint: "http://127.0.0.1:9" }),
        { accessKeyId: "S3RVER", secretAccessKey: secret },
        "network",
        /Could not reach S3/,
      ],
    ];
    for (const [cfg, credentials, failure, message] of cases) {
      const c = await h.service.create(ctx, {
        kind: "s3",
        name: failure,
        config: cfg as never,
        credentials: credentials as never,
      });
      const events: SyncEvent[] = [];
      const error = await collect(h.service.sync(ctx, c.id), (e) => events.push(e)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).failure).toBe(failure);
      expect((error as Error).message).toMatch(message);
      const record = await h.service.get(ctx, c.id);
      expect(record.lastSync).toMatchObject({ status: "failed" });
      expect(record.lastSync.error).toMatch(message);
      const everything = JSON.stringify([String(error), String((error as Error).cause), events, record]);
      expect(everything).not.toContain("SUPERSECRET");
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngestionQueue } from "../../src/jobs/queue.js";
import type { JobEvent } from "../../src/jobs/types.js";
import { migrations, runMigrations } from "../../src/migrations/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { type DriverKind, driverKinds, startDatabase, type TestDatabase } from "../support/databases.js";

/*
 * Ids a client sees (audit entries, job-event SSE ids) are numbered per tenant / per job. A shared sequence
 * made the gap between two of a tenant's ids count the other tenants' activity in between (attack suite).
 */

const A = createTenantContext({ tenantId: "ids-a", userId: "u", source: "test" });
const B = createTenantContext({ tenantId: "ids-b", userId: "u", source: "test" });
const before13 = migrations.filter((m) => m.version < 13);

const auditIds = async (store: KnowledgeStore, ctx: typeof A, beforeId?: string) =>
  (await store.audit.list(ctx, { limit: 1000, ...(beforeId ? { beforeId } : {}) })).map((r) => r.id);

async function drain(queue: IngestionQueue, ctx: typeof A, id: string): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  for await (const e of queue.events(ctx, id)) events.push(e);
  return events;
}

describe.each(driverKinds)("tenant-local ids (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;

  beforeAll(async () => {
    db = await startDatabase(kind);
    // An existing store from before migration 13: audit rows of two tenants interleaved on one sequence.
    await runMigrations(db.owner, before13, { schema: "ragkit", appRole: "ragkit_app" });
    await db.owner.exec(`
      INSERT INTO ragkit.tenants (id) VALUES ('ids-a'), ('ids-b');
      INSERT INTO ragkit.audit_log (tenant_id, action, outcome) VALUES
        ('ids-a', 'old.one', 'success'), ('ids-b', 'old.one', 'success'), ('ids-b', 'old.two', 'success'),
        ('ids-a', 'old.two', 'success'), ('ids-a', 'old.three', 'success');`);
    store = await KnowledgeStore.open({ ...db.storeOptions });
  });
  afterAll(async () => {
    await store?.close();
    await db?.stop();
  });

  it("numbers existing audit rows per tenant in their original order", async () => {
    expect(await auditIds(store, A)).toEqual(["3", "2", "1"]);
    expect(await auditIds(store, B)).toEqual(["2", "1"]);
    const [newestA] = await store.audit.list(A, { limit: 1 });
    expect(newestA!.action).toBe("old.three");
  });

  it("gives each tenant consecutive ids whatever the other tenant does in between, also concurrently", async () => {
    await store.audit.record(A, { action: "a.first" });
    for (let i = 0; i < 5; i++) await store.audit.record(B, { action: "b.between" });
    await store.audit.record(A, { action: "a.second" });
    expect((await auditIds(store, A)).slice(0, 2)).toEqual(["5", "4"]);

    // Concurrent writers of both tenants (several pooled connections on real Postgres): no duplicates, no gaps.
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => store.audit.record(i % 3 ? A : B, { action: "burst" })),
    );
    const a = await auditIds(store, A);
    const b = await auditIds(store, B);
    expect(a).toEqual(Array.from({ length: 5 + 16 }, (_, i) => String(21 - i)));
    expect(b).toEqual(Array.from({ length: 7 + 8 }, (_, i) => String(15 - i)));
    // The cursor pages by those ids.
    expect(await auditIds(store, A, "3")).toEqual(["2", "1"]);
  });

  it("numbers job events per job, so a job stream's ids do not count other jobs", async () => {
    const queue = new IngestionQueue(store, { pollIntervalMs: 50, workerId: "ids" });
    await store.ensureTenant(A);
    await store.ensureTenant(B);
    const jobA = await queue.enqueue(A, { data: new TextEncoder().encode("alpha"), filename: "a.txt" });
    const jobB = await queue.enqueue(B, { data: new TextEncoder().encode("beta"), filename: "b.txt" });
    const jobB2 = await queue.enqueue(B, { data: new TextEncoder().encode("gamma"), filename: "c.txt" });
    await queue.cancel(A, jobA.id);
    await queue.cancel(B, jobB.id);
    await queue.cancel(B, jobB2.id);
    for (const [ctx, job] of [
      [A, jobA],
      [B, jobB],
      [B, jobB2],
    ] as const) {
      const events = await drain(queue, ctx, job.id);
      expect(events.map((e) => [e.id, e.state])).toEqual([
        ["1", "queued"],
        ["2", "cancelled"],
      ]);
    }
    // Resuming after the first event gives the rest, as `Last-Event-ID` does.
    const tail: JobEvent[] = [];
    for await (const e of queue.events(A, jobA.id, { afterId: "1" })) tail.push(e);
    expect(tail.map((e) => e.id)).toEqual(["2"]);
  });
});

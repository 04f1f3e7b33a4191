import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTenantContext,
  type KnowledgeStore,
  RunStore,
  SHORT_TITLE_LENGTH,
  type TenantContext,
} from "../../src/index.js";
import {
  type DriverKind,
  driverKinds,
  openStore,
  startDatabase,
  type TestDatabase,
} from "../support/databases.js";

describe.each(driverKinds)("run store (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  let runs: RunStore;
  let a: TenantContext;
  let b: TenantContext;

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await openStore(db);
    runs = new RunStore(store);
    a = createTenantContext({ tenantId: "runs-a", userId: "alice", source: "system" });
    b = createTenantContext({ tenantId: "runs-b", userId: "bob", source: "system" });
    await store.ensureTenant(a);
    await store.ensureTenant(b);
  });

  afterAll(async () => {
    await store?.close();
    await db?.stop();
  });

  const ev = (seq: number, type = "text_delta") => ({ seq, type, data: { type, seq } });

  describe("RunStore", () => {
    it("creates runs, appends events in batches and pages through them after a seq", async () => {
      const run = await runs.createRun(a, {
        threadId: "t-1",
        title: "  What is   the budget? ",
        owner: "p1",
      });
      expect(run).toMatchObject({
        threadId: "t-1",
        status: "running",
        kind: "message",
        background: false,
        startedBy: "alice",
        title: "What is the budget?",
        lastSeq: 0,
      });
      await runs.appendEvents(a, run.id, [ev(1, "run_started"), ev(2), ev(3)]);
      await runs.appendEvents(a, run.id, [ev(4), ...Array.from({ length: 8 }, (_, i) => ev(5 + i))]);
      const all = await runs.listEvents(a, run.id);
      // Numeric order (12 after 9, not after 1).
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(all[0]).toMatchObject({ type: "run_started", data: { type: "run_started", seq: 1 } });
      expect((await runs.listEvents(a, run.id, { afterSeq: 9 })).map((e) => e.seq)).toEqual([10, 11, 12]);
      expect((await runs.listEvents(a, run.id, { afterSeq: 1, limit: 2 })).map((e) => e.seq)).toEqual([2, 3]);
      expect((await runs.getRun(a, run.id))?.lastSeq).toBe(12);
      await expect(runs.appendEvents(a, run.id, [ev(5)])).rejects.toThrow();

      expect(await runs.finishRun(a, run.id, { status: "completed" }, [ev(13, "run_finished")])).toBe(true);
      expect((await runs.listEvents(a, run.id, { afterSeq: 12 })).map((e) => e.type)).toEqual([
        "run_finished",
      ]);
      expect(await runs.finishRun(a, run.id, { status: "failed" })).toBe(false);
      const done = await runs.getRun(a, run.id);
      expect(done?.status).toBe("completed");
      expect(done?.finishedAt).toBeInstanceOf(Date);
    });

    it("scopes run ids per tenant: the same id in two tenants is two runs, a duplicate is a conflict", async () => {
      await runs.createRun(a, { id: "shared-id", threadId: "t-2" });
      await expect(runs.createRun(a, { id: "shared-id", threadId: "t-2" })).rejects.toMatchObject({
        code: "conflict",
      });
      const other = await runs.createRun(b, { id: "shared-id", threadId: "t-b" });
      expect(other.tenantId).toBe("runs-b");
      await runs.appendEvents(a, "shared-id", [ev(1)]);
      expect(await runs.listEvents(b, "shared-id")).toEqual([]);
      expect((await runs.getRun(b, "shared-id"))?.threadId).toBe("t-b");
    });

    it("hides another tenant's runs, events and threads exactly like missing ones", async () => {
      const run = await runs.createRun(a, { threadId: "secret-thread", title: "secret" });
      await runs.appendEvents(a, run.id, [ev(1)]);
      expect(await runs.getRun(b, run.id)).toBeNull();
      expect(await runs.listEvents(b, run.id)).toEqual([]);
      expect(await runs.requestCancel(b, run.id)).toBeNull();
      expect(await runs.finishRun(b, run.id, { status: "cancelled" })).toBe(false);
      expect(await runs.cancelRequested(b, [run.id])).toEqual([]);
      await expect(runs.appendEvents(b, run.id, [ev(2)])).rejects.toThrow();
      expect(await runs.deleteThread(b, "secret-thread")).toBe(0);
      expect((await runs.listThreads(b)).map((t) => t.threadId)).not.toContain("secret-thread");
      expect(await runs.listRuns(b, { threadId: "secret-thread" })).toEqual([]);
      expect((await runs.getRun(a, run.id))?.status).toBe("running");
      for (const bad of ["", "x".repeat(300), "../etc", "a b"]) {
        expect(await runs.getRun(a, bad)).toBeNull();
        expect(await runs.listEvents(a, bad)).toEqual([]);
      }
    });

    it("allows one running run per thread (unique index): a second one is a conflict until the first ends", async () => {
      const first = await runs.createRun(a, { threadId: "t-busy" });
      const error = await runs.createRun(a, { threadId: "t-busy" }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "conflict",
        message: "A run is already in progress on this thread.",
      });
      // Other threads, and the same thread id in another tenant, are independent.
      await runs.createRun(a, { threadId: "t-free" });
      await runs.createRun(b, { threadId: "t-busy" });
      await runs.finishRun(a, first.id, { status: "interrupted" });
      const next = await runs.createRun(a, { threadId: "t-busy", kind: "resume" });
      expect(next.status).toBe("running");
      expect((await runs.listRuns(a, { threadId: "t-busy" })).map((r) => r.status)).toEqual([
        "interrupted",
        "running",
      ]);
    });

    it("starting a run can first end the thread's stale run, in the same transaction", async () => {
      const crashed = await runs.createRun(a, { threadId: "t-stale" });
      await runs.appendEvents(a, crashed.id, [ev(1, "run_started")]);
      // Recently updated: not stale, so the thread is busy and nothing changes.
      await expect(
        runs.createRun(a, { threadId: "t-stale" }, { expireStaleAfterMs: 60_000 }),
      ).rejects.toMatchObject({ code: "conflict", message: "A run is already in progress on this thread." });
      expect((await runs.getRun(a, crashed.id))?.status).toBe("running");
      // Its owner stopped updating it: the new run takes the thread, the old one ends as owner_lost.
      await db.owner.query(
        "UPDATE ragkit.agent_runs SET updated_at = now() - interval '1 hour' WHERE tenant_id = $1 AND id = $2",
        [a.tenantId, crashed.id],
      );
      const next = await runs.createRun(a, { threadId: "t-stale" }, { expireStaleAfterMs: 60_000 });
      expect(next.status).toBe("running");
      expect(await runs.getRun(a, crashed.id)).toMatchObject({ status: "failed", errorCode: "owner_lost" });
      expect((await runs.listEvents(a, crashed.id)).map((e) => e.type)).toEqual(["run_started", "run_error"]);
      // Another tenant's stale run on the same thread id is not touched by this tenant's start.
      const theirs = await runs.createRun(b, { threadId: "t-stale-b" });
      await db.owner.query(
        "UPDATE ragkit.agent_runs SET updated_at = now() - interval '1 hour' WHERE tenant_id = $1 AND id = $2",
        [b.tenantId, theirs.id],
      );
      await runs.createRun(a, { threadId: "t-stale-b" }, { expireStaleAfterMs: 60_000 });
      expect((await runs.getRun(b, theirs.id))?.status).toBe("running");
    });

    it("freshIdIfTaken stores a run under a new id when the client's id is taken (never another tenant's)", async () => {
      const first = await runs.createRun(a, { id: "client-run-1", threadId: "t-fresh" });
      await runs.finishRun(a, first.id, { status: "interrupted" });
      const resumed = await runs.createRun(
        a,
        { id: "client-run-1", threadId: "t-fresh", kind: "resume" },
        { freshIdIfTaken: true },
      );
      expect(resumed.id).not.toBe("client-run-1");
      expect(resumed.id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await runs.getRun(a, "client-run-1"))?.status).toBe("interrupted");
      // Free in this tenant (taken only in another): the client's id is kept.
      await runs.createRun(b, { id: "client-run-2", threadId: "t-fresh-b" });
      const kept = await runs.createRun(
        a,
        { id: "client-run-2", threadId: "t-fresh-2" },
        { freshIdIfTaken: true },
      );
      expect(kept.id).toBe("client-run-2");
    });

    it("records stop requests for running runs only", async () => {
      const done = await runs.createRun(a, { threadId: "t-3" });
      await runs.finishRun(a, done.id, { status: "completed" });
      const live = await runs.createRun(a, { threadId: "t-3" });
      expect((await runs.requestCancel(a, live.id))?.cancelRequested).toBe(true);
      expect((await runs.requestCancel(a, done.id))?.cancelRequested).toBe(false);
      expect(await runs.cancelRequested(a, [live.id, done.id, "missing"])).toEqual([live.id]);
    });

    it("lists threads with their first title and last status, newest first, and deletes a thread's runs", async () => {
      const first = await runs.createRun(a, { threadId: "t-4", title: "First question" });
      await runs.finishRun(a, first.id, { status: "completed" });
      const second = await runs.createRun(a, { threadId: "t-4", title: "Second", kind: "message" });
      await runs.finishRun(a, second.id, { status: "interrupted" });
      const threads = await runs.listThreads(a);
      expect(threads[0]).toMatchObject({
        threadId: "t-4",
        title: "First question",
        runCount: 2,
        lastRunId: second.id,
        lastStatus: "interrupted",
      });
      const ids = threads.map((t) => t.threadId);
      expect(new Set(ids).size).toBe(ids.length);
      expect((await runs.listThreads(a, { limit: 1 })).length).toBe(1);
      expect((await runs.listRuns(a, { threadId: "t-4" })).map((r) => r.id)).toEqual([first.id, second.id]);

      await runs.appendEvents(a, first.id, [ev(1)]);
      expect(await runs.deleteThread(a, "t-4")).toBe(2);
      expect(await runs.getRun(a, first.id)).toBeNull();
      expect(await runs.listEvents(a, first.id)).toEqual([]);
      expect((await runs.listThreads(a)).map((t) => t.threadId)).not.toContain("t-4");
    });

    it("titles a thread with a short title from its first question, renames it, and hides it from other tenants", async () => {
      const long = `Hello, ${"what does the employee handbook say about carrying over unused paid leave ".repeat(3)}?`;
      const run = await runs.createRun(a, { threadId: "t-title", title: long });
      expect(run.title?.length).toBeLessThanOrEqual(SHORT_TITLE_LENGTH);
      expect(run.title).toMatch(/^What does the employee handbook .*…$/);
      await runs.createRun(a, { threadId: "t-title-2", title: "Second question?" });
      const renamed = await runs.renameThread(a, "t-title", "  Leave carry-over  ");
      expect(renamed).toMatchObject({ threadId: "t-title", title: "Leave carry-over", runCount: 1 });
      expect((await runs.listThreads(a)).find((t) => t.threadId === "t-title")?.title).toBe(
        "Leave carry-over",
      );
      await expect(runs.renameThread(a, "t-title", "   ")).rejects.toMatchObject({ code: "invalid_input" });
      expect(await runs.renameThread(b, "t-title", "pwned")).toBeNull();
      expect((await runs.listThreads(a)).find((t) => t.threadId === "t-title")?.title).toBe(
        "Leave carry-over",
      );
      expect(await runs.renameThread(a, "no-such-thread", "x")).toBeNull();
    });

    it("enforces row-level security for the app role even without a WHERE clause", async () => {
      const rows = await store.withTenant(b, (tx) =>
        tx.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM ${store.schema}.agent_runs`),
      );
      expect(rows.map((r) => r.tenant_id)).toEqual(["runs-b"]);
      const events = await store.withTenant(b, (tx) =>
        tx.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM ${store.schema}.run_events`),
      );
      expect(events.map((r) => r.tenant_id)).not.toContain("runs-a");
    });
  });
});

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../src/db/driver.js";
import { IngestionQueue } from "../../src/jobs/queue.js";
import type { Job } from "../../src/jobs/types.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import { openStore, realPostgres, startDatabase, type TestDatabase } from "../support/databases.js";

const dist = join(import.meta.dirname, "..", "..", "dist", "index.js");
const CHILDREN = 3;
const TENANTS = 3;
const DISTINCT = 30;
/** Uploads repeating an earlier one byte for byte (no source id): they must not create documents. */
const REPEATS = 12;

interface Worker {
  child: ChildProcess;
  lines: string[];
}

function spawnWorker(url: string, id: string): Promise<Worker> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "worker-child.mjs"), url, id], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let buffer = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      buffer += b.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line === "READY") resolve({ child, lines });
      }
    });
    child.once("exit", (code) => reject(new Error(`worker ${id} exited with ${code} before it was ready`)));
  });
}

/**
 * N ingestion workers on one queue on the real server: three worker processes (their own pools and logins) and
 * one in this process, competing for the same jobs with FOR UPDATE SKIP LOCKED. Every job must be processed
 * exactly once, and uploads of identical content must end as one document, however the workers interleave.
 */
describe.skipIf(!realPostgres)("ingestion workers on one queue (postgres)", () => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  let local: KnowledgeStore;
  const workers: Worker[] = [];

  beforeAll(async () => {
    if (!existsSync(dist))
      throw new Error("This test runs child processes on the built package: run `npm run build` first.");
    db = await startDatabase("postgres");
    store = await openStore(db);
    local = await KnowledgeStore.open({ driver: await db.replica({ max: 3 }), migrate: false });
    workers.push(
      ...(await Promise.all(
        Array.from({ length: CHILDREN }, (_, i) => spawnWorker(db.urls!.runtime, `child-${i}`)),
      )),
    );
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill("SIGKILL");
    await db?.stop();
  });

  it("processes every job exactly once and deduplicates identical uploads across workers", async () => {
    const tenants: TenantContext[] = [];
    for (let t = 0; t < TENANTS; t++) {
      const ctx = createTenantContext({ tenantId: `workers-${t}`, userId: "uploader" });
      await store.ensureTenant(ctx);
      tenants.push(ctx);
    }
    const inProcess = new IngestionQueue(local, {
      workerId: "in-process",
      retryBaseMs: 0,
      pollIntervalMs: 20,
    });
    const running = inProcess.startWorker({ concurrency: 2 });
    const queue = new IngestionQueue(store, { retryBaseMs: 0 });
    const body = (i: number) => `# Note ${i}\n\nParagraph ${i} about topic ${i % 7} and item ${i * 13}.\n`;
    // Enqueue in parallel while the workers are already polling, repeats interleaved with their originals.
    const enqueued: Array<{ job: Job; ctx: TenantContext; content: number }> = await Promise.all(
      Array.from({ length: DISTINCT + REPEATS }, async (_, i) => {
        const content = i < DISTINCT ? i : (i - DISTINCT) * 2;
        const ctx = tenants[content % TENANTS]!;
        const job = await queue.enqueue(ctx, {
          data: new TextEncoder().encode(body(content)),
          filename: "n.md",
        });
        return { job, ctx, content };
      }),
    );

    // Hang guard only: the test timeout bounds this loop.
    const ids = enqueued.map((e) => e.job.id);
    const owner: SqlDriver = db.owner;
    for (;;) {
      const [row] = await owner.query<{ open: number }>(
        "SELECT count(*)::int AS open FROM ragkit.jobs WHERE id = ANY($1::uuid[]) AND state NOT IN ('done', 'failed', 'cancelled')",
        [ids],
      );
      if (row!.open === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await running.stop();
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(
      workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once("exit", r)))),
    );

    const jobs = await owner.query<{ id: string; state: string; attempts: number; outcome: string }>(
      "SELECT id, state, attempts, result->>'outcome' AS outcome FROM ragkit.jobs WHERE id = ANY($1::uuid[])",
      [ids],
    );
    expect(jobs).toHaveLength(ids.length);
    for (const j of jobs) expect(j, j.id).toMatchObject({ state: "done", attempts: 1 });
    // Exactly one "done" event per job, and every child-reported job appears once across all processes.
    const doneEvents = await owner.query<{ job_id: string; n: number }>(
      "SELECT job_id, count(*)::int AS n FROM ragkit.job_events WHERE state = 'done' AND job_id = ANY($1::uuid[]) GROUP BY 1",
      [ids],
    );
    expect(doneEvents.every((e) => e.n === 1)).toBe(true);
    expect(doneEvents).toHaveLength(ids.length);
    const reported = workers.flatMap((w) =>
      w.lines.filter((l) => l.startsWith("JOB ")).map((l) => l.split(" ")[1]!),
    );
    expect(new Set(reported).size).toBe(reported.length);
    // The work was shared: the child processes did some of it (the in-process worker did the rest).
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.length).toBeLessThanOrEqual(ids.length);

    // One document per distinct content; the repeats found it unchanged, whichever worker got there first.
    const docs = await owner.query<{ tenant_id: string; n: number }>(
      "SELECT tenant_id, count(*)::int AS n FROM ragkit.documents GROUP BY 1 ORDER BY 1",
    );
    expect(docs.reduce((n, d) => n + d.n, 0)).toBe(DISTINCT);
    const outcomes = jobs.map((j) => j.outcome);
    expect(outcomes.filter((o) => o === "created")).toHaveLength(DISTINCT);
    expect(outcomes.filter((o) => o === "unchanged")).toHaveLength(REPEATS);
    const [usage] = await owner.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ragkit.usage_records WHERE kind = 'embedding'",
    );
    expect(usage!.n).toBe(DISTINCT);
  });
});

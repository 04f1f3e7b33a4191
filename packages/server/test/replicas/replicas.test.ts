import type { KnowledgeStore } from "@ragkit/core";
import { type RunResponse, type ThreadResponse, uploadResponseSchema } from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRagHandler } from "../../src/index.js";
import { get, json, mint, post, readSse, SECRET, startWorld, type World } from "../chat/support.js";
import { testDatabase } from "../store.js";
import { eventually, type Served, serve } from "../support.js";

/**
 * Two handler replicas on one real Postgres database, each with its own store and pool (what two server
 * processes behind a load balancer are). Only run by the `postgres` vitest project: on PGlite there is one
 * session and nothing ever overlaps.
 */
describe("two handler replicas on one Postgres database", () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let storeA: KnowledgeStore;
  let storeB: KnowledgeStore;
  let a: World;
  let b: World;

  beforeAll(async () => {
    database = await testDatabase();
    storeA = await database.open();
    storeB = await database.open();
    const agent = { options: { requireApprovalFor: [] } };
    a = await startWorld(agent, storeA);
    b = await startWorld(agent, storeB);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storeA?.close();
    await storeB?.close();
    await database?.dispose();
  });

  const status = async (w: World, runId: string) =>
    (await json<RunResponse>(await get(w.served.url, `/runs/${runId}`, w.tokenA))).run.status;

  it("runs started on one thread by both replicas at the same instant: exactly one wins, the other gets 409", async () => {
    for (let round = 0; round < 10; round++) {
      const threadId = `same-instant-${round}`;
      a.gate.hold();
      b.gate.hold();
      try {
        const responses = await Promise.all(
          [a, b].map((w) =>
            post(w.served.url, "/chat/stream", w.tokenA, {
              message: "What is the aurora budget?",
              threadId,
              background: true,
            }),
          ),
        );
        expect(responses.map((r) => r.status).sort(), threadId).toEqual([200, 409]);
        const winner = responses.find((r) => r.status === 200)!;
        const loser = responses.find((r) => r.status === 409)!;
        expect(await loser.json()).toMatchObject({
          error: { code: "conflict", message: "A run is already in progress on this thread." },
        });
        a.gate.open();
        b.gate.open();
        const { frames } = await readSse(winner);
        expect(frames.at(-1)?.event).toBe("done");
      } finally {
        a.gate.open();
        b.gate.open();
      }
      const thread = await json<ThreadResponse>(await get(b.served.url, `/threads/${threadId}`, b.tokenA));
      expect(thread.thread.runs.map((r) => r.status)).toEqual(["completed"]);
    }
  });

  it("a stop sent to the other replica ends the run; the thread then continues on that replica", async () => {
    a.gate.hold();
    let runId = "";
    let threadId = "";
    try {
      const res = await post(a.served.url, "/chat/stream", a.tokenA, {
        message: "What is the aurora budget?",
        background: true,
      });
      runId = res.headers.get("x-run-id")!;
      threadId = res.headers.get("x-thread-id")!;
      await readSse(res, (f) => f.event === "state");
      // B follows the run from the table while A executes it, and forwards the stop through the run row.
      const following = readSse(await get(b.served.url, `/runs/${runId}/events`, b.tokenA));
      a.gate.release(2);
      const stop = await post(b.served.url, `/runs/${runId}/stop`, b.tokenA, {});
      expect(stop.status).toBe(202);
      const { frames } = await following;
      expect(frames.at(-1)?.event).toBe("error");
      expect(JSON.parse(frames.at(-1)!.data)).toMatchObject({ code: "aborted" });
      await eventually(async () => expect(await status(b, runId)).toBe("cancelled"));
    } finally {
      a.gate.open();
    }
    const next = await post(b.served.url, "/chat/stream", b.tokenA, {
      message: "And the budget again?",
      threadId,
    });
    expect(next.status).toBe(200);
    expect((await readSse(next)).frames.at(-1)?.event).toBe("done");
    const thread = await json<ThreadResponse>(await get(a.served.url, `/threads/${threadId}`, a.tokenA));
    expect(thread.thread.runs.map((r) => r.status)).toEqual(["cancelled", "completed"]);
  });

  it("an approval asked on one replica is resumed on the other from the shared checkpoints", async () => {
    const hitl = { options: { requireApprovalFor: ["retrieve" as const] } };
    const askA = await startWorld(hitl, storeA);
    const askB = await startWorld(hitl, storeB);
    try {
      const first = await post(askA.served.url, "/chat/stream", askA.tokenA, {
        message: "What is the aurora budget?",
      });
      const threadId = first.headers.get("x-thread-id")!;
      const asked = await readSse(first);
      expect(asked.frames.at(-1)?.event).toBe("done");
      expect(JSON.parse(asked.frames.at(-1)!.data)).toMatchObject({ status: "interrupted" });
      const resumed = await post(askB.served.url, `/threads/${threadId}/resume`, askB.tokenA, {
        decision: { type: "approve" },
      });
      expect(resumed.status).toBe(200);
      const done = await readSse(resumed);
      const last = JSON.parse(done.frames.at(-1)!.data) as { status: string; answer: string };
      expect(last).toMatchObject({ status: "completed" });
      expect(last.answer).toContain("five million euros");
    } finally {
      await askA.close();
      await askB.close();
    }
  });
});

describe("rate limits and uploads across two replicas", () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  const stores: KnowledgeStore[] = [];
  /** Per replica: a handler with a per-user budget (no worker), and one with ingestion workers (no budget). */
  const limited: Served[] = [];
  const ingesting: Served[] = [];
  const handlers: Array<ReturnType<typeof createRagHandler>> = [];

  beforeAll(async () => {
    database = await testDatabase();
    for (let i = 0; i < 2; i++) {
      const store = await database.open();
      stores.push(store);
      const common = { store, auth: { jwtSecret: SECRET }, autoProvisionTenants: true };
      const budget = createRagHandler({
        ...common,
        rateLimits: { perUser: { limit: 7, windowSec: 86_400 } },
        ingestion: { worker: false },
      });
      const workers = createRagHandler({ ...common, ingestion: { concurrency: 2 } });
      handlers.push(budget, workers);
      limited.push(await serve(budget));
      ingesting.push(await serve(workers));
    }
  });
  afterAll(async () => {
    for (const s of [...limited, ...ingesting]) await s.close();
    for (const h of handlers) await h.close();
    for (const s of stores) await s.close();
    await database?.dispose();
  });

  it("40 parallel requests over both replicas: exactly the limit is admitted", async () => {
    const token = await mint("tenant-burst", "bursty");
    const codes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        get(limited[i % 2]!.url, "/documents", token).then((r) => r.status),
      ),
    );
    expect(codes.filter((c) => c === 200)).toHaveLength(7);
    expect(codes.filter((c) => c === 429)).toHaveLength(33);
  });

  it("the same file uploaded to both replicas at once ends as one document", async () => {
    const uploader = await mint("tenant-uploads", "uploader");
    const file = "# Handbook\n\nEveryone uploads this handbook at the same time.\n";
    const uploads = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const body = new FormData();
        body.append("file", new Blob([file], { type: "text/markdown" }), "handbook.md");
        return fetch(`${ingesting[i % 2]!.url}/documents`, {
          method: "POST",
          headers: { authorization: `Bearer ${uploader}` },
          body,
        });
      }),
    );
    expect(uploads.map((r) => r.status)).toEqual(Array(8).fill(202));
    const jobIds = (
      await Promise.all(uploads.map(async (r) => uploadResponseSchema.parse(await r.json())))
    ).map((u) => u.jobs[0]!.jobId);
    // Each job's event stream ends at its terminal state (served by either replica, whichever worker ran it).
    for (const [i, id] of jobIds.entries()) {
      const { frames } = await readSse(
        await get(ingesting[(i + 1) % 2]!.url, `/jobs/${id}/events`, uploader),
      );
      expect(JSON.parse(frames.at(-1)!.data)).toMatchObject({ state: "done" });
    }
    const outcomes = await Promise.all(
      jobIds.map(async (id) => {
        const res = await get(ingesting[0]!.url, `/jobs/${id}`, uploader);
        return ((await res.json()) as { job: { result: { outcome: string } } }).job.result.outcome;
      }),
    );
    expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "unchanged")).toHaveLength(7);
    const list = (await (await get(ingesting[1]!.url, "/documents", uploader)).json()) as {
      documents: unknown[];
    };
    expect(list.documents).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeRateLimit } from "../../src/limits/index.js";
import { RunStore } from "../../src/runs/run-store.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { openStore, realPostgres, startDatabase, type TestDatabase } from "../support/databases.js";
import { paragraphsDoc } from "../support/fixtures.js";

const REPLICAS = 4;

/**
 * Several replicas (one KnowledgeStore and one pool each) writing the same rows at the same instant on the real
 * server, where transactions really overlap (PGlite runs them one after another). Each round starts every
 * replica's call together; the invariants must hold for every interleaving.
 */
describe.skipIf(!realPostgres)("replicas writing at once (postgres)", () => {
  let db: TestDatabase;
  let replicas: KnowledgeStore[];
  const acme = createTenantContext({ tenantId: "acme", userId: "alice" });

  beforeAll(async () => {
    db = await startDatabase("postgres");
    const first = await openStore(db);
    replicas = [first];
    for (let i = 1; i < REPLICAS; i++) {
      replicas.push(await KnowledgeStore.open({ driver: await db.replica(), migrate: false }));
    }
    await first.ensureTenant(acme);
    // Warm every pool so that the rounds below start on open connections.
    await Promise.all(replicas.flatMap((r) => Array.from({ length: 4 }, () => r.listDocuments(acme))));
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("parallel puts of the same content create one document (no source id: deduplicated by hash)", async () => {
    for (let round = 0; round < 10; round++) {
      const text = `Round ${round}: the same handbook uploaded by everyone at once.\n\nSecond paragraph ${round}.`;
      const results = await Promise.all(
        replicas.flatMap((r) => [
          r.putDocument(acme, paragraphsDoc(text)),
          r.putDocument(acme, paragraphsDoc(text)),
        ]),
      );
      expect(results.filter((x) => x.outcome === "created")).toHaveLength(1);
      expect(results.filter((x) => x.outcome === "unchanged")).toHaveLength(results.length - 1);
      expect(new Set(results.map((x) => x.document.id)).size).toBe(1);
    }
    const [docs] = await db.owner.query<{ n: number; chunks: number }>(
      "SELECT count(*)::int AS n, sum(chunk_count)::int AS chunks FROM ragkit.documents WHERE tenant_id = 'acme'",
    );
    expect(docs).toEqual({ n: 10, chunks: 20 });
    const [chunks] = await db.owner.query<{ n: number }>("SELECT count(*)::int AS n FROM ragkit.chunks");
    expect(chunks!.n).toBe(20);
  });

  it("parallel puts of one source id converge on one document with one version's chunks", async () => {
    for (let round = 0; round < 10; round++) {
      const versions = replicas.map((_, i) => `Version ${i} of round ${round}.\n\nBody ${i}-${round}.`);
      const results = await Promise.all(
        replicas.map((r, i) =>
          r.putDocument(acme, paragraphsDoc(versions[i]!, { sourceId: `wiki/${round}` })),
        ),
      );
      expect(new Set(results.map((x) => x.document.id)).size).toBe(1);
      expect(results.filter((x) => x.outcome === "created")).toHaveLength(1);
      const [doc] = await db.owner.query<{ id: string; text: string }>(
        "SELECT id, text FROM ragkit.documents WHERE source_id = $1",
        [`wiki/${round}`],
      );
      // Readers see one whole version: the last writer's text with exactly its chunks, never a mix.
      const chunks = await replicas[0]!.listChunks(acme, doc!.id);
      expect(versions).toContain(doc!.text);
      expect(chunks.map((c) => c.text).join("\n\n")).toBe(doc!.text);
    }
  });

  it("rate limits across replicas never admit more than the limit", async () => {
    const rule = { limit: 37, windowSec: 86_400 };
    const now = new Date();
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        consumeRateLimit(replicas[i % REPLICAS]!, acme, "user:burst", rule, now),
      ),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(37);
    // Every request was counted exactly once, so each saw a distinct count.
    const [row] = await db.owner.query<{ count: number }>(
      "SELECT sum(count)::int AS count FROM ragkit.rate_limit_counters WHERE key = 'user:burst@86400s'",
    );
    expect(row!.count).toBe(200);
    const remaining = decisions.filter((d) => d.allowed).map((d) => d.remaining);
    expect(new Set(remaining).size).toBe(37);
  });

  it("runs started on one thread by every replica at the same instant: exactly one wins", async () => {
    const runStores = replicas.map((r) => new RunStore(r));
    for (let round = 0; round < 20; round++) {
      const threadId = `race-${round}`;
      const outcomes = await Promise.allSettled(
        runStores.map((runs, i) => runs.createRun(acme, { threadId, owner: `replica-${i}` })),
      );
      const won = outcomes.filter((o) => o.status === "fulfilled");
      expect(won, threadId).toHaveLength(1);
      for (const lost of outcomes.filter((o) => o.status === "rejected")) {
        expect((lost as PromiseRejectedResult).reason).toMatchObject({
          code: "conflict",
          message: "A run is already in progress on this thread.",
        });
      }
    }
    const [row] = await db.owner.query<{ threads: number; running: number }>(
      "SELECT count(DISTINCT thread_id)::int AS threads, count(*)::int AS running FROM ragkit.agent_runs WHERE status = 'running'",
    );
    expect(row).toEqual({ threads: 20, running: 20 });
  });
});

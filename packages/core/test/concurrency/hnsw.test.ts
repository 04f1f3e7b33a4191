import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../src/db/driver.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { openStore, realPostgres, startDatabase, type TestDatabase } from "../support/databases.js";
import { paragraphsDoc, randomUnitVectors } from "../support/fixtures.js";

const DIMENSION = 384;
const DOCS = 120;
const CHUNKS_PER_DOC = 50; // 6,000 chunks: a build that lasts long enough to search during it

/**
 * Rebuilding the HNSW index (what `withDeferredVectorIndex` does after a bulk load) on a live database: searches
 * on other connections must keep answering, correctly, while the index builds, and writes must not wait for it.
 * "During the build" is observed, not timed: an operation counts as concurrent only if the build was visible in
 * pg_stat_progress_create_index both before it started and after it finished.
 */
describe.skipIf(!realPostgres)("HNSW index build while searching (postgres)", () => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  let reader: KnowledgeStore;
  const ctx = createTenantContext({ tenantId: "hnsw", userId: "loader" });
  // Writes during the build go to another tenant: they hit the same table and index, but cannot enter the
  // searching tenant's top 10 (a new chunk of the same tenant could, which made the comparison flaky).
  const writer = createTenantContext({ tenantId: "hnsw-writer", userId: "loader" });
  const vectors = randomUnitVectors(DOCS * CHUNKS_PER_DOC + 20, DIMENSION, 77);
  const embedder = {
    name: "precomputed-384",
    dimension: DIMENSION,
    embed: async (texts: readonly string[]) => texts.map(() => vectors[0]!),
  };

  const doc = (d: number) => {
    const parts = Array.from({ length: CHUNKS_PER_DOC }, (_, i) => `Document ${d} passage ${i}.`);
    const input = paragraphsDoc(parts.join("\n\n"), { title: `doc ${d}` });
    input.chunks = input.chunks.map((c, i) => ({ ...c, embedding: vectors[d * CHUNKS_PER_DOC + i]! }));
    return input;
  };

  beforeAll(async () => {
    db = await startDatabase("postgres");
    store = await openStore(db, { embedder });
    reader = await KnowledgeStore.open({ driver: await db.replica(), embedder, migrate: false });
    await store.ensureTenant(ctx);
    await store.ensureTenant(writer);
    await store.withDeferredVectorIndex(async () => {
      for (let d = 0; d < DOCS; d += 10) {
        await store.putDocuments(
          ctx,
          Array.from({ length: 10 }, (_, k) => doc(d + k)),
        );
      }
    });
  });
  afterAll(async () => {
    await db?.stop();
  });

  const building = async (owner: SqlDriver) => {
    const rows = await owner.query(
      "SELECT 1 FROM pg_stat_progress_create_index WHERE datname = current_database()",
    );
    return rows.length > 0;
  };

  /**
   * Whether the rebuilt index is valid (usable by the planner). CREATE INDEX CONCURRENTLY marks it valid a
   * moment before its progress row disappears, so "the build is in progress" alone does not prove a search
   * could not use the new index (a CI run caught such a search answering approximately).
   */
  const indexValid = async (owner: SqlDriver) => {
    const rows = await owner.query<{ valid: boolean }>(
      `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE c.relname = 'chunks_embedding_hnsw'`,
    );
    return rows[0]?.valid === true;
  };

  /** The true top 10 by cosine, computed here from the vectors the tenant's chunks were stored with. */
  const exactTopTexts = (query: number[]) =>
    Array.from({ length: DOCS * CHUNKS_PER_DOC }, (_, i) => ({
      text: `Document ${Math.floor(i / CHUNKS_PER_DOC)} passage ${i % CHUNKS_PER_DOC}.`,
      similarity: vectors[i]!.reduce((sum, x, k) => sum + x * query[k]!, 0),
    }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, 10)
      .map((r) => r.text);

  it("keeps answering searches and accepting writes on other connections while the index builds", async () => {
    const query = vectors[DOCS * CHUNKS_PER_DOC + 1]!;
    // The ground truth, not a search through the index: HNSW is approximate (a baseline taken through it once
    // differed from the exact scan the searches during the build run, which made this test flaky).
    const exact = exactTopTexts(query);
    const before = await reader.search(ctx, { query: "q", mode: "dense", topK: 10, queryVector: query });
    expect(before).toHaveLength(10);
    let searchedDuring = 0;
    let wroteDuring = 0;
    let written = 0;
    const errors: unknown[] = [];
    // Rebuild until one search and one write were each seen to start and end inside a build (bounded).
    for (let attempt = 0; attempt < 5 && (searchedDuring === 0 || wroteDuring === 0); attempt++) {
      let done = false;
      const rebuild = store
        .withDeferredVectorIndex(async () => {})
        .finally(() => {
          done = true;
        });
      // One loop searches, one writes; each counts only what began and ended inside the build.
      // An op resolving to false asks not to be counted (it could not observe what it checks).
      const during = async (op: () => Promise<boolean>, seen: () => void) => {
        while (!done) {
          if (!(await building(db.owner))) continue;
          const counts = await op().catch((e: unknown) => {
            errors.push(e);
            return false;
          });
          if (counts && (await building(db.owner))) seen();
        }
      };
      const probes = Promise.all([
        during(
          async () => {
            // While the new index is not valid it cannot be used: a sequential scan, the exact answer. Still
            // invalid after the search ended means it was invalid throughout.
            const hits = await reader.search(ctx, {
              query: "q",
              mode: "dense",
              topK: 10,
              queryVector: query,
            });
            if (await indexValid(db.owner)) return false;
            expect(hits.map((r) => r.text)).toEqual(exact);
            return true;
          },
          () => searchedDuring++,
        ),
        during(
          async () => {
            // Each write its own random vector: many identical vectors (what the embedder above returns for
            // every text) degrade an HNSW graph, and the rebuilt index's recall with it (a CI run got 5/10).
            const input = paragraphsDoc(`Written during the build ${attempt}-${written}.`);
            const [embedding] = randomUnitVectors(1, DIMENSION, 10_000 + written++);
            input.chunks = input.chunks.map((c) => ({ ...c, embedding: embedding! }));
            await reader.putDocument(writer, input);
            return true;
          },
          () => wroteDuring++,
        ),
      ]);
      await Promise.all([rebuild, probes]);
    }
    expect(errors).toEqual([]);
    expect(searchedDuring).toBeGreaterThan(0);
    expect(wroteDuring).toBeGreaterThan(0);
    expect(await indexValid(db.owner)).toBe(true);
    // Through the rebuilt index again: approximate, so recall against the truth rather than equality, and
    // averaged over 19 queries: on random 384-d vectors one query's recall@10 varies from graph to graph (a
    // parallel build under load is not deterministic; a CI run got 5/10 for the single query this used).
    const recalls: number[] = [];
    for (let k = 1; k < 20; k++) {
      const q = vectors[DOCS * CHUNKS_PER_DOC + k]!;
      const truth = exactTopTexts(q);
      const hits = await reader.search(ctx, { query: "q", mode: "dense", topK: 10, queryVector: q });
      expect(hits).toHaveLength(10);
      recalls.push(hits.filter((r) => truth.includes(r.text)).length / 10);
    }
    const mean = recalls.reduce((a, b) => a + b, 0) / recalls.length;
    // Measured over 16 local runs: mean recall 1.0 in 14, 0.67–0.71 in 2 (a rebuild with writes arriving during
    // it sometimes gives a weaker graph; cause not established). A broken or unused index would be near 0.
    expect(mean).toBeGreaterThanOrEqual(0.5);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Queryable } from "../../src/db/driver.js";
import type { Embedder } from "../../src/embeddings/types.js";
import { denseScanSettings, denseSearch } from "../../src/search/dense.js";
import { searchInputSchema } from "../../src/search/types.js";
import type { PutDocumentInput } from "../../src/store/documents.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import {
  type DriverKind,
  driverKinds,
  openStore,
  startDatabase,
  type TestDatabase,
} from "../support/databases.js";
import { cosine, randomUnitVectors } from "../support/fixtures.js";

/**
 * Filtered ANN: RLS turns every dense search into a filtered scan. A tenant owning 1% of the rows must still
 * get its full top-k with recall close to an exact scan, and so must the big tenant.
 *
 * At this size (2,020 rows, analyzed) the planner answers both tenants with exact scans: a seq scan + sort for
 * the big tenant (costed below HNSW with the store's ef_search = 100; in a probe HNSW won from ~5,000 rows) and the
 * tenant index for the small one. Recall of an exact scan is trivially 1, so the second block pushes the
 * planner onto the HNSW index (sorts disabled, verified with EXPLAIN) to measure real ANN recall, including
 * pgvector's iterative scan for the 1% tenant.
 */
const CHUNKS_PER_DOC = 100;
const BIG_DOCS = 20; // 2,000 chunks
const SMALL_CHUNKS = 20; // 1% of the big tenant
const QUERIES = 10;
const K = 10;
/** Uniform random vectors (no cluster structure, so harder for HNSW than real embeddings); 128-d halves ingest time. */
const DIMENSION = 128;

/** Every vector in this suite is precomputed; the store must never embed anything itself. */
const precomputedOnly: Embedder = {
  name: "precomputed-random-128",
  dimension: DIMENSION,
  embed: async () => {
    throw new Error("filtered-recall passes every embedding and query vector precomputed");
  },
};

interface Corpus {
  ctx: TenantContext;
  /** `${documentId}:${chunkIndex}` → the vector stored for that chunk. */
  vectors: Map<string, number[]>;
}

/** One document of synthetic text whose chunks are exact slices of it, each with a precomputed embedding. */
function vectorDoc(name: string, vectors: readonly number[][]): PutDocumentInput {
  const parts = vectors.map((_, i) => `${name} passage ${i} about topic ${i % 7}.`);
  const text = parts.join(" ");
  let offset = 0;
  const chunks = parts.map((part, i) => {
    const start = offset;
    offset += part.length + 1;
    return { text: part, start, end: start + part.length, embedding: vectors[i]! };
  });
  return { text, title: name, sourceId: name, chunks };
}

/** Exact cosine top-k over a tenant's own vectors (ties broken by key, as a stable reference). */
function exactTopK(query: readonly number[], vectors: Map<string, number[]>, k: number): string[] {
  return [...vectors.entries()]
    .map(([key, v]) => ({ key, s: cosine(query, v) }))
    .sort((a, b) => b.s - a.s || (a.key < b.key ? -1 : 1))
    .slice(0, k)
    .map((e) => e.key);
}

describe.each(driverKinds)("filtered-ANN recall (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  let big: Corpus;
  let small: Corpus;
  let queries: number[][];

  async function ingest(tenantId: string, docs: number[][][], seed: string): Promise<Corpus> {
    const ctx = createTenantContext({ tenantId, source: "test" });
    await store.ensureTenant(ctx);
    const vectors = new Map<string, number[]>();
    // Batches of 5 documents (500 chunks) per putDocuments call.
    for (let first = 0; first < docs.length; first += 5) {
      const batch = docs.slice(first, first + 5);
      const results = await store.putDocuments(
        ctx,
        batch.map((vs, i) => vectorDoc(`${seed}-doc-${first + i}`, vs)),
      );
      results.forEach((r, i) => {
        expect(r.outcome).toBe("created");
        batch[i]!.forEach((v, k) => {
          vectors.set(`${r.document.id}:${k}`, v);
        });
      });
    }
    return { ctx, vectors };
  }

  /**
   * Runs the store's own dense query (src/search/dense.ts) for `ctx` through a transaction wrapper:
   * `explain` puts EXPLAIN in front of the final statement; the store's scan settings are applied as
   * `searchMany` applies them, except that `iterativeScan: false` switches pgvector's iterative scan off.
   */
  async function runDense(
    ctx: TenantContext,
    vector: number[],
    options: { explain?: boolean; iterativeScan?: boolean; topK?: number } = {},
  ): Promise<{ plan: string; rows: number }> {
    const topK = options.topK ?? K;
    const input = searchInputSchema.parse({
      query: "vector query",
      mode: "dense",
      topK,
      queryVector: vector,
    });
    return store.withTenant(ctx, async (tx) => {
      const settings = Object.entries({
        ...denseScanSettings(topK),
        ...(options.iterativeScan === false ? { "hnsw.iterative_scan": "off" } : {}),
      });
      await tx.query(
        `SELECT ${settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(", ")}`,
        settings.flat(),
      );
      const plan: string[] = [];
      const wrapped: Queryable = {
        exec: (sql) => tx.exec(sql),
        query: async <R>(sql: string, params?: readonly unknown[]) => {
          if (options.explain && sql.trimStart().startsWith("WITH cand")) {
            const rows = await tx.query<Record<string, string>>(`EXPLAIN ${sql}`, params);
            plan.push(...rows.map((r) => Object.values(r)[0]!));
            return [];
          }
          return tx.query<R>(sql, params);
        },
      };
      const rows = await denseSearch(wrapped, store.schema, store.embedder.dimension, vector, input, topK);
      return { plan: plan.join("\n"), rows: rows.length };
    });
  }

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await openStore(db, { embedder: precomputedOnly });
    const bigVectors = randomUnitVectors(BIG_DOCS * CHUNKS_PER_DOC, DIMENSION, 1001);
    const smallVectors = randomUnitVectors(SMALL_CHUNKS, DIMENSION, 2002);
    queries = randomUnitVectors(QUERIES, DIMENSION, 3003);
    // A bulk load: the HNSW index is built once at the end instead of row by row (≈4× faster here).
    await store.withDeferredVectorIndex(async () => {
      big = await ingest(
        `recall-big-${kind}`,
        Array.from({ length: BIG_DOCS }, (_, d) =>
          bigVectors.slice(d * CHUNKS_PER_DOC, (d + 1) * CHUNKS_PER_DOC),
        ),
        "big",
      );
      small = await ingest(`recall-small-${kind}`, [smallVectors], "small");
    });
    // What autovacuum does on a Postgres server (eventually); PGlite has no autovacuum. Owner only.
    await db.owner.exec("ANALYZE ragkit.chunks; ANALYZE ragkit.documents;");
  });
  afterAll(async () => {
    await db?.stop();
  });

  async function recallAt(corpus: Corpus, topK: number): Promise<{ mean: number; counts: number[] }> {
    const recalls: number[] = [];
    const counts: number[] = [];
    for (const q of queries) {
      const results = await store.search(corpus.ctx, {
        query: "vector query",
        mode: "dense",
        topK,
        queryVector: q,
      });
      counts.push(results.length);
      const keys = results.map((r) => `${r.documentId}:${r.chunkIndex}`);
      // Every result is the tenant's own chunk, scored with its true cosine similarity, best first.
      for (const [i, r] of results.entries()) {
        const stored = corpus.vectors.get(keys[i]!);
        expect(stored, "result from another tenant").toBeDefined();
        expect(r.score).toBeCloseTo(cosine(q, stored!), 5);
        if (i > 0) expect(r.score).toBeLessThanOrEqual(results[i - 1]!.score);
      }
      const exact = new Set(exactTopK(q, corpus.vectors, topK));
      recalls.push(keys.filter((key) => exact.has(key)).length / Math.min(topK, corpus.vectors.size));
    }
    return { mean: recalls.reduce((a, b) => a + b, 0) / recalls.length, counts };
  }

  it("stores the corpus as intended (2,000 + 20 chunks, all with embeddings)", async () => {
    const rows = await db.owner.query<{ tenant_id: string; n: number }>(
      "SELECT tenant_id, count(*)::int AS n FROM ragkit.chunks WHERE embedding IS NOT NULL GROUP BY 1 ORDER BY 1",
    );
    expect(rows).toEqual([
      { tenant_id: big.ctx.tenantId, n: BIG_DOCS * CHUNKS_PER_DOC },
      { tenant_id: small.ctx.tenantId, n: SMALL_CHUNKS },
    ]);
  });

  describe("default plan", () => {
    it("gives the 1% tenant a full top-10 with recall@10 ≥ 0.9", async () => {
      const { mean, counts } = await recallAt(small, K);
      expect(counts).toEqual(Array(QUERIES).fill(Math.min(K, SMALL_CHUNKS)));
      expect(mean).toBeGreaterThanOrEqual(0.9);
    });

    it("returns all of the 1% tenant's chunks when topK exceeds them", async () => {
      const { mean, counts } = await recallAt(small, 30);
      expect(counts).toEqual(Array(QUERIES).fill(Math.min(30, SMALL_CHUNKS)));
      expect(mean).toBe(1);
    });

    it("gives the big tenant recall@10 ≥ 0.9", async () => {
      const { mean, counts } = await recallAt(big, K);
      expect(counts).toEqual(Array(QUERIES).fill(K));
      expect(mean).toBeGreaterThanOrEqual(0.9);
    });
  });

  describe("through the HNSW index", () => {
    // Session-wide, so the store's own transactions see it: with sorts disallowed, the only way to produce the
    // ORDER BY … LIMIT is the HNSW index scan. PGlite is one session; on the real server the store is reopened
    // on a one-connection pool so that the setting reaches every transaction.
    let pooled: KnowledgeStore;
    beforeAll(async () => {
      pooled = store;
      if (kind === "postgres") {
        const one = await db.replica({ max: 1 });
        store = await KnowledgeStore.open({ driver: one, embedder: precomputedOnly, migrate: false });
      }
      await store.driver.exec("SET enable_sort = off");
    });
    afterAll(async () => {
      await store.driver.exec("RESET enable_sort");
      store = pooled;
    });

    it("plans the dense query of both tenants on chunks_embedding_hnsw, under RLS", async () => {
      for (const corpus of [big, small]) {
        const { plan } = await runDense(corpus.ctx, queries[0]!, { explain: true });
        expect(plan, corpus.ctx.tenantId).toMatch(/Index Scan using chunks_embedding_hnsw on chunks/);
        expect(plan, corpus.ctx.tenantId).toContain("current_setting('ragkit.tenant_id'");
      }
    });

    it("gives the big tenant recall@10 ≥ 0.9", async () => {
      const { mean, counts } = await recallAt(big, K);
      expect(counts).toEqual(Array(QUERIES).fill(K));
      expect(mean).toBeGreaterThanOrEqual(0.9);
    });

    it("gives the 1% tenant a full top-10 with recall@10 ≥ 0.9 (iterative scan)", async () => {
      const { mean, counts } = await recallAt(small, K);
      expect(counts).toEqual(Array(QUERIES).fill(K));
      expect(mean).toBeGreaterThanOrEqual(0.9);
      const all = await recallAt(small, 30);
      expect(all.counts).toEqual(Array(QUERIES).fill(SMALL_CHUNKS));
    });

    it("control: without the iterative scan the 1% tenant would get too few rows", async () => {
      const plain = await Promise.all(queries.map((q) => runDense(small.ctx, q, { iterativeScan: false })));
      expect(Math.min(...plain.map((p) => p.rows))).toBeLessThan(K);
    });
  });
});

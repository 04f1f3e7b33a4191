import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OfflineEmbedder } from "../../src/embeddings/offline.js";
import type { Embedder } from "../../src/embeddings/types.js";
import type { SearchInput } from "../../src/search/types.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import { type DriverKind, driverKinds, startDatabase, type TestDatabase } from "../support/databases.js";

/*
 * Hybrid search must not fall below the better of its two channels. Checked on fixture corpora built so
 * that one channel is useless: random vectors (dense useless), and queries written only in synonyms the
 * lexical index cannot match (lexical useless, a synonym-aware embedder). Metrics are computed from the
 * judgements, never from expected rankings.
 */

const TOPICS = 10;
const FILLERS = Array.from({ length: 12 }, (_, i) => `filler${i}word`);
const topicWord = (t: number, j: number) => `topic${t}term${j}`;
const synonym = (t: number, j: number) => `topic${t}alias${j}`;

interface Fixture {
  docs: Array<{ id: string; text: string }>;
  queries: Array<{ text: string; rel: Map<string, number> }>;
}

/** Per topic: a graded-2 document (3 topic words), a graded-1 one (2, longer), and a distractor. */
function buildFixture(queryWords: (t: number) => string[]): Fixture {
  const docs: Fixture["docs"] = [];
  const queries: Fixture["queries"] = [];
  for (let t = 0; t < TOPICS; t++) {
    const filler = (k: number) => FILLERS[(t * 3 + k) % FILLERS.length]!;
    docs.push({
      id: `t${t}-a`,
      text: `${topicWord(t, 0)} ${topicWord(t, 1)} ${topicWord(t, 2)} ${filler(0)}`,
    });
    // Longer than -a, so no channel ties the two (chunk ids, which break ties, are random).
    docs.push({
      id: `t${t}-b`,
      text: `${topicWord(t, 0)} ${topicWord(t, 2)} ${filler(1)} ${filler(2)} ${filler(3)} ${filler(4)}`,
    });
    // Distractor: the query's filler word among words of the next topic.
    const next = (t + 1) % TOPICS;
    docs.push({
      id: `t${t}-x`,
      text: `${filler(5)} ${topicWord(next, 1)} ${topicWord(next, 3)} ${filler(6)}`,
    });
    queries.push({
      text: [...queryWords(t), filler(5)].join(" "),
      rel: new Map([
        [`t${t}-a`, 2],
        [`t${t}-b`, 1],
      ]),
    });
  }
  return { docs, queries };
}

/** Bag-of-concepts embedder: a word and its synonyms are one concept (a stand-in for a semantic model). */
class ConceptEmbedder implements Embedder {
  readonly name = "fixture-concepts";
  readonly dimension = 128;
  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => {
      const v = new Array<number>(this.dimension).fill(0);
      for (const word of text.toLowerCase().split(/\s+/).filter(Boolean)) {
        const concept = word.replace(/alias/, "term");
        let h = 2166136261;
        for (let i = 0; i < concept.length; i++) h = Math.imul(h ^ concept.charCodeAt(i), 16777619);
        v[(h >>> 0) % this.dimension]! += 1;
      }
      const n = Math.hypot(...v) || 1;
      return v.map((x) => x / n);
    });
  }
}

/** Random unit vectors per text: a dense channel that knows nothing. */
class RandomEmbedder implements Embedder {
  readonly name = "fixture-random";
  readonly dimension = 32;
  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => {
      let a = 0;
      for (let i = 0; i < text.length; i++) a = Math.imul(a ^ text.charCodeAt(i), 2654435761) >>> 0;
      const rand = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let x = Math.imul(a ^ (a >>> 15), a | 1);
        x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296 - 0.5;
      };
      const v = Array.from({ length: this.dimension }, rand);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
  }
}

function ndcgAt10(ranked: readonly string[], rel: ReadonlyMap<string, number>): number {
  const dcg = ranked.slice(0, 10).reduce((s, id, i) => s + (rel.get(id) ?? 0) / Math.log2(i + 2), 0);
  const ideal = [...rel.values()].sort((a, b) => b - a).slice(0, 10);
  return dcg / ideal.reduce((s, r, i) => s + r / Math.log2(i + 2), 0);
}

describe.each(driverKinds)("hybrid fusion never loses to the better channel (%s)", (kind: DriverKind) => {
  const dbs: TestDatabase[] = [];
  const stores: KnowledgeStore[] = [];

  async function load(embedder: Embedder, fixture: Fixture) {
    const db = await startDatabase(kind);
    dbs.push(db);
    const store = await KnowledgeStore.open({ ...db.storeOptions, embedder });
    stores.push(store);
    const ctx: TenantContext = createTenantContext({ tenantId: "fusion", source: "test" });
    await store.ensureTenant(ctx);
    const put = await store.putDocuments(
      ctx,
      fixture.docs.map((d) => ({
        text: d.text,
        sourceId: d.id,
        chunks: [{ text: d.text, start: 0, end: d.text.length }],
      })),
    );
    const idOf = new Map(put.map((r, i) => [r.document.id, fixture.docs[i]!.id]));
    /** Mean nDCG@10 of a search mode over the fixture's queries. */
    const quality = async (input: Omit<SearchInput, "query">) => {
      let sum = 0;
      for (const q of fixture.queries) {
        const hits = await store.search(ctx, { ...input, query: q.text, topK: 10 });
        sum += ndcgAt10(
          hits.map((h) => idOf.get(h.documentId)!),
          q.rel,
        );
      }
      return sum / fixture.queries.length;
    };
    return quality;
  }

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all(dbs.map((d) => d.stop()));
  });

  describe("dense channel useless (random vectors), queries in the documents' words", () => {
    let quality: Awaited<ReturnType<typeof load>>;
    beforeAll(async () => {
      quality = await load(
        new RandomEmbedder(),
        buildFixture((t) => [topicWord(t, 0), topicWord(t, 2)]),
      );
    });

    it("gated score fusion ≥ lexical, which is far better than dense", async () => {
      const lexical = await quality({ mode: "lexical" });
      const dense = await quality({ mode: "dense" });
      expect(lexical).toBeGreaterThan(dense + 0.3); // the fixture really has one useless channel
      expect(await quality({ mode: "hybrid", agreementGate: true })).toBeGreaterThanOrEqual(lexical - 1e-9);
    });
  });

  describe("lexical channel useless (queries only in synonyms), a synonym-aware embedder", () => {
    let quality: Awaited<ReturnType<typeof load>>;
    beforeAll(async () => {
      quality = await load(
        new ConceptEmbedder(),
        buildFixture((t) => [synonym(t, 0), synonym(t, 2)]),
      );
    });

    it("default hybrid (a model embedder: score fusion, no gate) ≥ dense, which is far better than lexical", async () => {
      const lexical = await quality({ mode: "lexical" });
      const dense = await quality({ mode: "dense" });
      expect(dense).toBeGreaterThan(lexical + 0.3);
      expect(await quality({ mode: "hybrid" })).toBeGreaterThanOrEqual(dense - 1e-9);
    });
  });

  describe("the offline default (hashing embedder, gate on by default)", () => {
    let quality: Awaited<ReturnType<typeof load>>;
    beforeAll(async () => {
      quality = await load(
        new OfflineEmbedder(),
        buildFixture((t) => [topicWord(t, 0), topicWord(t, 2)]),
      );
    });

    it("hybrid ≥ the better of lexical and dense", async () => {
      const best = Math.max(await quality({ mode: "lexical" }), await quality({ mode: "dense" }));
      expect(await quality({ mode: "hybrid" })).toBeGreaterThanOrEqual(best - 1e-9);
    });
  });
});

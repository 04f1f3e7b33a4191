import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { termCounts } from "../../src/analysis/index.js";
import type { SearchResult } from "../../src/search/types.js";
import type { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import {
  type DriverKind,
  driverKinds,
  openStore,
  startDatabase,
  type TestDatabase,
} from "../support/databases.js";
import { paragraphsDoc } from "../support/fixtures.js";

/**
 * Exact Okapi BM25 (k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + 0.5)/(df + 0.5))) over each tenant's own
 * corpus. The corpus uses words the analyzer keeps as they are, plus stop words and one stemmed word; a
 * tiny hand-written model of that tokenisation is checked against the analyzer (`termCounts`) first.
 */

const K1 = 1.2;
const B = 0.75;
const STOP_WORDS = new Set(["the", "and", "a", "she"]);
const STEMS: Record<string, string> = { runs: "run", running: "run" };

/** Term → occurrences, as the lexical analyzer produces for this test's vocabulary. */
function lexemes(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().split(/\s+/)) {
    if (!word || STOP_WORDS.has(word)) continue;
    const lexeme = STEMS[word] ?? word;
    counts.set(lexeme, (counts.get(lexeme) ?? 0) + 1);
  }
  return counts;
}

const lengthOf = (tf: Map<string, number>) => [...tf.values()].reduce((a, b) => a + b, 0);

/** Okapi BM25 of every chunk in `corpus` for `query`, computed from scratch. */
function bm25(query: string, corpus: readonly string[]): number[] {
  const docs = corpus.map(lexemes);
  const n = docs.length;
  const avgdl = docs.reduce((sum, d) => sum + lengthOf(d), 0) / n;
  const terms = [...lexemes(query).keys()];
  return docs.map((tf) =>
    terms.reduce((score, term) => {
      const f = tf.get(term) ?? 0;
      if (f === 0) return score;
      const df = docs.filter((d) => d.has(term)).length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      return score + (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * lengthOf(tf)) / avgdl));
    }, 0),
  );
}

/** Two documents, seven chunks of distinct texts (stop words included, one stemmed word). */
const CORPUS_DOCS = [
  ["cat dog cat", "dog fox", "owl cat fox fox fox", "the owl and a bird"],
  ["elk yak emu gnu ant bee cat", "bird bird bird bird", "she runs and the fox runs"],
];
const CORPUS = CORPUS_DOCS.flat();

const QUERIES = ["cat", "fox", "cat fox", "bird owl", "dog bird elk", "the cat and a dog"];

describe.each(driverKinds)("lexical BM25 (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  let seq = 0;

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await openStore(db);
  });
  afterAll(async () => {
    await db?.stop();
  });

  async function tenant(label: string): Promise<TenantContext> {
    seq += 1;
    const ctx = createTenantContext({ tenantId: `bm25-${seq}-${label}`, source: "test" });
    await store.ensureTenant(ctx);
    return ctx;
  }

  async function seedCorpus(ctx: TenantContext): Promise<void> {
    await store.putDocuments(
      ctx,
      CORPUS_DOCS.map((chunks, i) => paragraphsDoc(chunks.join("\n\n"), { sourceId: `corpus-${i}` })),
    );
  }

  const lexical = (ctx: TenantContext, query: string): Promise<SearchResult[]> =>
    store.search(ctx, { query, mode: "lexical", topK: 100 });

  /** The expected ranking: every chunk with a query term, by score, ties by chunk id (as the SQL orders). */
  function expectedRanking(query: string, corpus: readonly string[], results: readonly SearchResult[]) {
    const scores = bm25(query, corpus);
    const idByText = new Map(results.map((r) => [r.text, r.chunkId]));
    return corpus
      .map((text, i) => ({ text, score: scores[i]!, id: idByText.get(text) ?? "" }))
      .filter((e) => e.score > 0)
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  it("tokenises the corpus exactly as the JS model (the basis of the expected scores)", async () => {
    const ctx = await tenant("tokens");
    await seedCorpus(ctx);
    for (const text of [...CORPUS, ...QUERIES, "running"]) {
      const { terms, counts } = termCounts(text);
      expect(new Map(terms.map((t, i) => [t, counts[i]])), text).toEqual(lexemes(text));
    }
    const stored = await store.withTenant(ctx, async (tx) => ({
      stats: await tx.query<{ chunk_count: string; total_length: string }>(
        "SELECT chunk_count::text, total_length::text FROM ragkit.lexical_stats",
      ),
      lengths: await tx.query<{ text: string; lexical_length: number }>(
        "SELECT text, lexical_length FROM ragkit.chunks",
      ),
      postings: await tx.query<{ text: string; term: string; tf: number; doc_length: number }>(
        `SELECT c.text, t.term, t.tf, t.doc_length FROM ragkit.chunk_terms t
         JOIN ragkit.chunks c ON c.id = t.chunk_id`,
      ),
    }));
    const totalLength = CORPUS.reduce((sum, text) => sum + lengthOf(lexemes(text)), 0);
    expect(stored.stats).toEqual([{ chunk_count: String(CORPUS.length), total_length: String(totalLength) }]);
    expect(new Map(stored.lengths.map((r) => [r.text, r.lexical_length]))).toEqual(
      new Map(CORPUS.map((text) => [text, lengthOf(lexemes(text))])),
    );
    const expectedPostings = CORPUS.flatMap((text) =>
      [...lexemes(text)].map(([term, tf]) => ({ text, term, tf, doc_length: lengthOf(lexemes(text)) })),
    );
    const key = (p: { text: string; term: string }) => `${p.text}|${p.term}`;
    expect([...stored.postings].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      expectedPostings.sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it.each(QUERIES)("scores %j with exact Okapi BM25 and ranks by score", async (query) => {
    const ctx = await tenant("scores");
    await seedCorpus(ctx);
    const results = await lexical(ctx, query);
    const expected = expectedRanking(query, CORPUS, results);
    expect(expected.length).toBeGreaterThan(0);
    expect(results.map((r) => r.text)).toEqual(expected.map((e) => e.text));
    results.forEach((r, i) => {
      expect(Math.abs(r.score - expected[i]!.score), r.text).toBeLessThan(1e-9);
      expect(r.scores.lexical).toMatchObject({ bm25: r.score, rank: i + 1 });
      // The query's upper bound: Σ idf·(k1 + 1) over its terms (this vocabulary has each at most once).
      const terms = [...lexemes(query).keys()];
      const n = CORPUS.length;
      const bound = terms.reduce((sum, t) => {
        const df = CORPUS.filter((c) => lexemes(c).has(t)).length;
        return sum + Math.log(1 + (n - df + 0.5) / (df + 0.5)) * (K1 + 1);
      }, 0);
      expect(Math.abs(r.scores.lexical!.normalized - r.score / bound), r.text).toBeLessThan(1e-9);
    });
  });

  it("keeps each tenant's statistics to itself: A's scores do not move when B ingests the query terms", async () => {
    const a = await tenant("a");
    const b = await tenant("b");
    await seedCorpus(a);
    const query = "cat fox bird";
    const before = await lexical(a, query);
    expect(before.length).toBeGreaterThan(0);

    // B: 150 chunks full of the query terms, of varied lengths — a very different N, df and avgdl.
    const bCorpus = Array.from({ length: 150 }, (_, i) =>
      ["cat", "fox", "bird", "cat fox", "owl elk yak emu gnu ant bee"].slice(0, 1 + (i % 5)).join(" "),
    );
    const bCorpusUnique = bCorpus.map((text, i) => `${text} ${"dog ".repeat(1 + (i % 7)).trim()} ${i}`);
    await store.putDocument(b, paragraphsDoc(bCorpusUnique.join("\n\n"), { sourceId: "b-corpus" }));

    const after = await lexical(a, query);
    expect(after.map((r) => [r.chunkId, r.score])).toEqual(before.map((r) => [r.chunkId, r.score]));

    // Sensitivity: statistics pooled over A and B would have produced different scores for A.
    const pooled = bm25(query, [...CORPUS, ...bCorpusUnique]).slice(0, CORPUS.length);
    const isolated = expectedRanking(query, CORPUS, after);
    for (const e of isolated) {
      const p = pooled[CORPUS.indexOf(e.text)]!;
      expect(Math.abs(p - e.score), e.text).toBeGreaterThan(1e-3);
    }
    // And B's own scores come from B's corpus alone.
    const bResults = await lexical(b, query);
    const bExpected = bm25(query, bCorpusUnique);
    expect(bExpected.every((s) => s > 0)).toBe(true); // every B chunk contains "cat"
    expect(bResults).toHaveLength(100); // topK
    for (const r of bResults) {
      expect(Math.abs(r.score - bExpected[bCorpusUnique.indexOf(r.text)]!), r.text).toBeLessThan(1e-9);
    }

    // Removing B's corpus leaves A untouched as well.
    const bDocs = await store.listDocuments(b);
    for (const d of bDocs.documents) await store.deleteDocument(b, d.id);
    expect((await lexical(a, query)).map((r) => [r.chunkId, r.score])).toEqual(
      before.map((r) => [r.chunkId, r.score]),
    );
    expect(await lexical(b, query)).toEqual([]);
  });

  it("stems the query like the documents: 'running' finds 'runs'", async () => {
    const ctx = await tenant("stem");
    await seedCorpus(ctx);
    const results = await lexical(ctx, "running");
    expect(results.map((r) => r.text)).toEqual(["she runs and the fox runs"]);
    const expected = bm25("running", CORPUS)[CORPUS.indexOf("she runs and the fox runs")]!;
    expect(expected).toBeGreaterThan(0);
    expect(Math.abs(results[0]!.score - expected)).toBeLessThan(1e-9);
  });
});

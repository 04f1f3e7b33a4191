#!/usr/bin/env node
// Retrieval benchmark on a BEIR-layout directory: nDCG@10, recall@100 and latency for dense, lexical and
// hybrid search through the store (every fusion variant), each mode's quality as a ratio of lexical's, plus
// the bare SQL each mode wraps (same process, same data) so the store's overhead is a ratio.
// --scale 10000,100000 then grows the tenant to each chunk count with synthetic documents made from the corpus
// (sentences of random corpus documents recombined, seeded: same vocabulary and term statistics, written through
// putDocuments like real ones) and prints, per size and mode, the store's p50 beside the bare SQL's and the
// growth from the first size to the last (sublinear: less than the growth in chunks).
// --driver pglite (default) or postgres (real PostgreSQL 15 + pgvector: RAGKIT_TEST_POSTGRES or a throwaway server).
// Usage: npm run bench:retrieval -- --data <dir> --split <name> [--json] [--modes ...] [--scale N,M] [--driver k]
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createTenantContext, termCounts } from "@ragkit/core";
import pg from "pg";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { readJsonl } from "./lib/beir.mjs";
import { describeLoad, loadContext, openBenchStore, pct, stopBenchPostgres } from "./lib/bench.mjs";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    split: { type: "string", default: "test" },
    json: { type: "boolean", default: false },
    // hybrid = the default (score fusion, the store's agreement gate); hybrid:ungated / hybrid:gated force
    // the gate; hybrid:rrf = weighted reciprocal rank fusion (the previous default).
    modes: { type: "string", default: "dense,lexical,hybrid,hybrid:ungated,hybrid:rrf" },
    "max-queries": { type: "string" },
    "dense-weight": { type: "string" },
    scale: { type: "string" },
    "scale-modes": { type: "string", default: "lexical,dense,hybrid" },
    "scale-queries": { type: "string", default: "200" },
    driver: { type: "string", default: "pglite" },
  },
});
if (values.driver !== "pglite" && values.driver !== "postgres") {
  console.error(`--driver: pglite or postgres, not "${values.driver}"`);
  process.exit(2);
}
if (!values.data) {
  console.error(
    "usage: npm run bench:retrieval -- --data <beir-dir> --split <name> [--json] [--modes dense,lexical,hybrid,hybrid:ungated,hybrid:gated,hybrid:rrf]",
  );
  process.exit(2);
}
const dir = values.data;
const log = values.json ? () => {} : (...a) => console.log(...a);

const corpus = readJsonl(dir, "corpus.jsonl");
const queriesFile = existsSync(join(dir, `queries.${values.split}.jsonl`))
  ? `queries.${values.split}.jsonl`
  : "queries.jsonl";
const allQueries = readJsonl(dir, queriesFile);
const qrels = new Map();
for (const [i, line] of readFileSync(join(dir, "qrels", `${values.split}.tsv`), "utf8")
  .split("\n")
  .entries()) {
  const [qid, did, score] = line.trim().split("\t");
  if (!qid || (i === 0 && Number.isNaN(Number(score)))) continue;
  if (!qrels.has(qid)) qrels.set(qid, new Map());
  qrels.get(qid).set(did, Number(score));
}
let queries = allQueries.filter((q) => qrels.has(String(q._id)));
if (values["max-queries"]) queries = queries.slice(0, Number(values["max-queries"]));

// --dense-weight W: hybrid weight of the dense channel relative to lexical (default 1).
const opened = await openBenchStore(values.driver, {
  storeOptions: values["dense-weight"]
    ? { hybridWeights: { dense: Number(values["dense-weight"]), lexical: 1 } }
    : {},
});
const { store } = opened;
log(
  `${values.driver === "postgres" ? "real PostgreSQL" : "embedded PGlite"}; ${describeLoad(loadContext())}`,
);
const tenant = createTenantContext({ tenantId: "bench", source: "cli" });
await store.ensureTenant(tenant);

// ---- ingest ----------------------------------------------------------------------------------------------
const t0 = performance.now();
const docIdToCorpusId = new Map();
await store.withDeferredVectorIndex(async () => {
  const texts = corpus.map((d) => (d.title ? `${d.title}\n\n${d.text}` : d.text));
  for (let i = 0; i < corpus.length; i += 250) {
    const batch = corpus.slice(i, i + 250);
    const vectors = await store.embedder.embed(texts.slice(i, i + 250), { kind: "document" });
    const results = await store.putDocuments(
      tenant,
      batch.map((d, j) => {
        const text = texts[i + j];
        return {
          text,
          title: d.title || null,
          source: "bench",
          sourceId: String(d._id),
          chunks: [{ text, start: 0, end: text.length, embedding: vectors[j] }],
        };
      }),
    );
    for (const [j, r] of results.entries()) docIdToCorpusId.set(r.document.id, String(batch[j]._id));
  }
});
const ingestS = (performance.now() - t0) / 1000;
log(
  `ingested ${corpus.length} documents in ${ingestS.toFixed(1)} s (${(corpus.length / ingestS).toFixed(0)} docs/s)`,
);

// ---- metrics ---------------------------------------------------------------------------------------------
function ndcgAt(ranked, rel, k) {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    dcg += (rel.get(id) ?? 0) / Math.log2(i + 2);
  });
  const ideal = [...rel.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((s, r, i) => s + r / Math.log2(i + 2), 0);
  return idcg ? dcg / idcg : 0;
}
function recallAt(ranked, rel, k) {
  const relevant = [...rel.entries()].filter(([, r]) => r > 0).map(([id]) => id);
  if (!relevant.length) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}
// The bare statements the store wraps: same SQL shape, run as the owner with the tenant inlined, no RLS,
// no transaction, no validation, precomputed query vectors, ids only; one session (on Postgres its own
// connection) with the store's HNSW scan settings set once for the session.
const s = store.schema;
const dim = store.embedder.dimension;
const { k1, b } = store.options.bm25;
let bareClient = null;
if (values.driver === "postgres") {
  bareClient = new pg.Client({ connectionString: opened.urls.owner });
  await bareClient.connect();
}
const bare = {
  query: async (sql, params) =>
    bareClient ? (await bareClient.query(sql, params)).rows : opened.owner.query(sql, params),
};
await bare.query(
  "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', false), set_config('hnsw.max_scan_tuples', '200000', false)",
);
/** ef_search for a dense fetch of `limit` rows, as the store sets it: clamp(2·limit, 100, 1000). */
let bareEf = null;
const setBareEf = async (limit) => {
  const ef = String(Math.min(1000, Math.max(100, limit * 2)));
  if (ef !== bareEf) await bare.query("SELECT set_config('hnsw.ef_search', $1, false)", [ef]);
  bareEf = ef;
};
/** Call `setBareEf(limit)` first, outside any timing (it is one more statement). */
const bareDense = (vec, limit = 100, explain = false) =>
  bare.query(
    `${explain ? "EXPLAIN " : ""}SELECT id FROM ${s}.chunks WHERE tenant_id = 'bench' AND embedding IS NOT NULL
     ORDER BY embedding::vector(${dim}) <=> $1::vector(${dim}) LIMIT ${limit}`,
    [`[${vec.join(",")}]`],
  );
const bareLexical = (q) => {
  const { terms, counts } = termCounts(q);
  return bare.query(
    `WITH q AS (SELECT term, qtf::float8 AS qtf FROM unnest($1::text[], $2::int[]) AS q(term, qtf)),
     st AS (SELECT chunk_count::float8 AS n, greatest(total_length::float8/nullif(chunk_count,0),1) AS avgdl FROM ${s}.lexical_stats WHERE tenant_id='bench'),
     p AS (SELECT ct.chunk_id, ct.tf, ct.doc_length, q.qtf, count(*) OVER (PARTITION BY ct.term)::float8 AS df
           FROM q JOIN ${s}.chunk_terms ct ON ct.term=q.term AND ct.tenant_id='bench')
     SELECT p.chunk_id, sum(p.qtf*ln(1+(st.n-p.df+0.5)/(p.df+0.5))*p.tf*($3::float8+1)/(p.tf+$3::float8*(1-$4::float8+$4::float8*p.doc_length/st.avgdl))) AS score
     FROM p CROSS JOIN st GROUP BY p.chunk_id ORDER BY score DESC LIMIT 100`,
    [terms, counts, k1, b],
  );
};

const queryVectors = await store.embedder.embed(
  queries.map((q) => q.text),
  { kind: "query" },
);
const results = [];
const VARIANTS = {
  dense: { mode: "dense" },
  lexical: { mode: "lexical" },
  hybrid: { mode: "hybrid" },
  "hybrid:gated": { mode: "hybrid", fusion: "score", agreementGate: true },
  "hybrid:ungated": { mode: "hybrid", fusion: "score", agreementGate: false },
  "hybrid:rrf": { mode: "hybrid", fusion: "rrf" },
};
for (const name of values.modes.split(",")) {
  const variant = VARIANTS[name];
  if (!variant) {
    console.error(`unknown mode "${name}"; one of ${Object.keys(VARIANTS).join(", ")}`);
    process.exit(2);
  }
  const mode = variant.mode;
  const search = (query) => store.search(tenant, { ...variant, query, topK: 100 });
  // Warm-up so the first measured query does not pay for plan caches.
  for (const q of queries.slice(0, 5)) await search(q.text);
  const lat = [];
  let ndcg = 0;
  let recall = 0;
  const bare = [];
  await setBareEf(100);
  const timeBare = async (i, q) => {
    const t = performance.now();
    if (mode !== "lexical") await bareDense(queryVectors[i]);
    if (mode !== "dense") await bareLexical(q.text);
    bare.push(performance.now() - t);
  };
  // Interleaved per query, and alternating which side goes first: whichever runs a query first reads its index
  // and heap pages into shared buffers for the other (always running the store first made it pay every miss).
  for (const [i, q] of queries.entries()) {
    if (i % 2 === 1) await timeBare(i, q);
    const t = performance.now();
    const hits = await search(q.text);
    lat.push(performance.now() - t);
    if (i % 2 === 0) await timeBare(i, q);
    const ranked = hits.map((h) => docIdToCorpusId.get(h.documentId));
    const rel = qrels.get(String(q._id));
    ndcg += ndcgAt(ranked, rel, 10);
    recall += recallAt(ranked, rel, 100);
  }
  const row = {
    mode: name,
    ndcg10: Number((ndcg / queries.length).toFixed(4)),
    recall100: Number((recall / queries.length).toFixed(4)),
    p50_ms: Number(pct(lat, 50).toFixed(2)),
    p95_ms: Number(pct(lat, 95).toFixed(2)),
    bare_p50_ms: Number(pct(bare, 50).toFixed(2)),
    ingest_s: Number(ingestS.toFixed(2)),
    docs: corpus.length,
    queries: queries.length,
  };
  results.push(row);
  log(
    `${name.padEnd(14)} nDCG@10 ${row.ndcg10.toFixed(4)}  recall@100 ${row.recall100.toFixed(4)}  ` +
      `p50 ${row.p50_ms} ms  p95 ${row.p95_ms} ms  bare p50 ${row.bare_p50_ms} ms  overhead ×${(row.p50_ms / row.bare_p50_ms).toFixed(2)}`,
  );
}
// Quality relative to lexical search in the same run (the baseline hybrid must not fall below).
const lexicalRow = results.find((r) => r.mode === "lexical");
if (lexicalRow) {
  for (const r of results) {
    r.ndcg10_vs_lexical = Number((r.ndcg10 / lexicalRow.ndcg10).toFixed(4));
    r.recall100_vs_lexical = Number((r.recall100 / lexicalRow.recall100).toFixed(4));
    log(
      `${r.mode.padEnd(14)} vs lexical: nDCG@10 ×${r.ndcg10_vs_lexical.toFixed(4)}  recall@100 ×${r.recall100_vs_lexical.toFixed(4)}`,
    );
  }
}
const scale = values.scale ? await scaleStudy() : null;
await bareClient?.end();
await opened.close();
await stopBenchPostgres();
if (values.json) {
  const out = results.length === 1 && !scale ? results[0] : { results };
  if (scale) out.scale = scale;
  console.log(JSON.stringify(out));
}

// ---- scale study -------------------------------------------------------------------------------------------
async function scaleStudy() {
  const sizes = values.scale.split(",").map(Number);
  const modes = values["scale-modes"].split(",");
  const sample = queries.slice(0, Number(values["scale-queries"]));
  const sampleVectors = queryVectors.slice(0, sample.length);
  const sentences = corpus.flatMap((d) => d.text.split(/(?<=[.!?])\s+/).filter((x) => x.length > 20));
  // Seeded: the synthetic tenant is the same on every run.
  const random = xoroshiro128plus(14);
  const pick = () => sentences[uniformInt(random, 0, sentences.length - 1)];
  let chunks = corpus.length;
  let synthetic = 0;
  const rows = [];
  for (const size of sizes) {
    const t0 = performance.now();
    // Two writers: on a pool their batches run on separate connections (PGlite runs them one after another).
    const writer = async () => {
      while (chunks < size) {
        const n = Math.min(250, size - chunks);
        const first = synthetic;
        chunks += n;
        synthetic += n;
        const texts = Array.from({ length: n }, () =>
          Array.from({ length: uniformInt(random, 4, 8) }, pick).join(" "),
        );
        const vectors = await store.embedder.embed(texts, { kind: "document" });
        await store.putDocuments(
          tenant,
          texts.map((text, j) => ({
            text,
            source: "synthetic",
            sourceId: `s${first + j}`,
            chunks: [{ text, start: 0, end: text.length, embedding: vectors[j] }],
          })),
        );
      }
    };
    await store.withDeferredVectorIndex(() => Promise.all([writer(), writer()]));
    // Fresh planner statistics, as autovacuum would have them on a table this size.
    await opened.owner.query(`ANALYZE ${s}.chunks`);
    await opened.owner.query(`ANALYZE ${s}.chunk_terms`);
    const growS = (performance.now() - t0) / 1000;
    log(
      `scale: ${chunks} chunks (${synthetic} synthetic), grown in ${growS.toFixed(1)} s; ${describeLoad(loadContext())}`,
    );
    for (const mode of modes) {
      const search = (query) => store.search(tenant, { mode, query, topK: 100 });
      for (const q of sample.slice(0, 5)) await search(q.text);
      const lat = [];
      const bareLat = [];
      const fetch = mode === "hybrid" ? 200 : 100;
      await setBareEf(fetch);
      // Which plan the bare dense statement gets (an HNSW index scan, or a scan + sort of the whole tenant).
      const plan =
        mode === "lexical"
          ? null
          : String(Object.values((await bareDense(sampleVectors[0], fetch, true))[1] ?? {})[0] ?? "");
      // Interleaved per query, so both sides see the same moment of a shared machine's load, and alternating
      // which goes first (the first to run a query pays its buffer misses for both).
      const timeBare = async (i, q) => {
        const t = performance.now();
        if (mode !== "lexical") await bareDense(sampleVectors[i], fetch);
        if (mode !== "dense") await bareLexical(q.text);
        bareLat.push(performance.now() - t);
      };
      for (const [i, q] of sample.entries()) {
        if (i % 2 === 1) await timeBare(i, q);
        const t = performance.now();
        await search(q.text);
        lat.push(performance.now() - t);
        if (i % 2 === 0) await timeBare(i, q);
      }
      const row = {
        chunks,
        mode,
        p50_ms: Number(pct(lat, 50).toFixed(2)),
        bare_p50_ms: Number(pct(bareLat, 50).toFixed(2)),
        load1: loadContext().load1,
        ...(plan ? { bare_dense_plan: plan.trim() } : {}),
      };
      row.ratio = Number((row.p50_ms / row.bare_p50_ms).toFixed(3));
      rows.push(row);
      log(
        `  ${mode.padEnd(8)} p50 ${row.p50_ms} ms  bare p50 ${row.bare_p50_ms} ms  store/bare ×${row.ratio.toFixed(2)}` +
          (plan ? `  (bare dense plan: ${plan.trim()})` : ""),
      );
    }
  }
  if (sizes.length > 1) {
    const [first, last] = [sizes[0], sizes.at(-1)];
    for (const mode of modes) {
      const a = rows.find((r) => r.mode === mode && r.chunks === first);
      const z = rows.find((r) => r.mode === mode && r.chunks === last);
      log(
        `  ${mode.padEnd(8)} ${first}→${last} chunks (×${(last / first).toFixed(0)}): p50 ×${(z.p50_ms / a.p50_ms).toFixed(2)}, bare ×${(z.bare_p50_ms / a.bare_p50_ms).toFixed(2)}`,
      );
    }
  }
  return rows;
}

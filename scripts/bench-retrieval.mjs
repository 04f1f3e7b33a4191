#!/usr/bin/env node
// Retrieval benchmark on a BEIR-layout directory: nDCG@10, recall@100 and latency for dense, lexical and
// hybrid search through the store (every fusion variant), each mode's quality as a ratio of lexical's, plus
// the bare SQL each mode wraps (same process, same data) so the store's overhead is a ratio.
// Usage: npm run bench:retrieval -- --data <dir> --split <name> [--json] [--modes ...]
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createTenantContext, KnowledgeStore, termCounts } from "@ragkit/core";
import { readJsonl } from "./lib/beir.mjs";

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
  },
});
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
const store = await KnowledgeStore.open(
  values["dense-weight"] ? { hybridWeights: { dense: Number(values["dense-weight"]), lexical: 1 } } : {},
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
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// The bare statements the store wraps: same SQL shape, run as the owner with the tenant inlined, no RLS,
// no transaction, no validation, precomputed query vectors, ids only.
const s = store.schema;
const dim = store.embedder.dimension;
const { k1, b } = store.options.bm25;
const bareDense = (vec) =>
  store.driver.query(
    `SELECT id FROM ${s}.chunks WHERE tenant_id = 'bench' ORDER BY embedding::vector(${dim}) <=> $1::vector(${dim}) LIMIT 100`,
    [`[${vec.join(",")}]`],
  );
const bareLexical = (q) => {
  const { terms, counts } = termCounts(q);
  return store.driver.query(
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
  for (const q of queries) {
    const t = performance.now();
    const hits = await search(q.text);
    lat.push(performance.now() - t);
    const ranked = hits.map((h) => docIdToCorpusId.get(h.documentId));
    const rel = qrels.get(String(q._id));
    ndcg += ndcgAt(ranked, rel, 10);
    recall += recallAt(ranked, rel, 100);
  }
  const bare = [];
  for (const [i, q] of queries.entries()) {
    const t = performance.now();
    if (mode !== "lexical") await bareDense(queryVectors[i]);
    if (mode !== "dense") await bareLexical(q.text);
    bare.push(performance.now() - t);
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
await store.close();
if (values.json) console.log(JSON.stringify(results.length === 1 ? results[0] : { results }));

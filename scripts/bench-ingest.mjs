#!/usr/bin/env node
// Ingestion benchmark on SciFact: RagKit's bulk path vs LlamaIndex.TS's IngestionPipeline, same splitter settings
// and embedder, interleaved runs in one process. Per --driver kind: on embedded PGlite the baseline writes to
// LlamaIndex's SimpleVectorStore (in memory); on real PostgreSQL 15 + pgvector (RAGKIT_TEST_POSTGRES or a
// throwaway server started here) the like-for-like baseline writes with PGVectorStore (@llamaindex/postgres)
// to a fresh database on the same server. See docs/benchmarks.md.
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PGVectorStore } from "@llamaindex/postgres";
import { chunkDocument, createTenantContext, ingestDocument, OfflineEmbedder } from "@ragkit/core";
import { BaseEmbedding, Document, IngestionPipeline, SentenceSplitter, SimpleVectorStore } from "llamaindex";
import pg from "pg";
import { readJsonl, sharedBenchDir } from "./lib/beir.mjs";
import {
  benchDatabase,
  describeLoad,
  loadContext,
  openBenchStore,
  parseDrivers,
  stopBenchPostgres,
} from "./lib/bench.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    data: { type: "string", default: sharedBenchDir(root, "scifact") },
    limit: { type: "string" },
    json: { type: "boolean", default: false },
    runs: { type: "string", default: "2" },
    batch: { type: "string", default: "100" },
    "per-doc-limit": { type: "string", default: "300" },
    "hnsw-rows": { type: "string", default: "5000" },
    driver: { type: "string", default: "pglite,postgres" },
  },
});
const DRIVERS = parseDrivers(values.driver);
const CHUNK_SIZE = 512;
const CHUNK_OVERLAP = 50;
const RUNS = Math.max(1, Number(values.runs));
const BATCH = Math.max(1, Number(values.batch));
const log = values.json ? () => {} : (...a) => console.log(...a);

// A GC between timed runs so one side does not pay for the other's garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

// ---- corpus ----------------------------------------------------------------------------------------------
let corpus = readJsonl(values.data, "corpus.jsonl");
if (values.limit) corpus = corpus.slice(0, Number(values.limit));
const docs = corpus.map((d) => ({
  id: String(d._id),
  title: d.title || null,
  text: d.title ? `${d.title}\n\n${d.text}` : d.text,
}));
const corpusChars = docs.reduce((s, d) => s + d.text.length, 0);
log(
  `SciFact: ${docs.length} documents, ${(corpusChars / 1e6).toFixed(2)} M chars; chunkSize ${CHUNK_SIZE}, overlap ${CHUNK_OVERLAP}`,
);

const tenant = createTenantContext({ tenantId: "bench", source: "cli" });
const chunkOptions = { strategy: "sentence", chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP };
const loaded = (d) => ({
  kind: "text",
  mimeType: "text/plain",
  text: d.text,
  title: d.title,
  pages: [],
  sections: [],
  metadata: {},
});
const secs = (ms) => ms / 1000;
const round = (x, n = 2) => Number(x.toFixed(n));

/** A fresh store of `kind`, its tenant created; `owner` runs the checks (on Postgres the runtime login is RLS-bound). */
async function openStore(kind) {
  const t = performance.now();
  const opened = await openBenchStore(kind);
  await opened.store.ensureTenant(tenant);
  return { ...opened, openMs: performance.now() - t };
}

// ---- RagKit: bulk path -----------------------------------------------------------------------------------
// Per batch of BATCH documents: chunk each (RagKit's chunker = LlamaIndex SentenceSplitter + exact offsets),
// one embed call for all the batch's chunks, one putDocuments (one transaction, set-based inserts), all
// inside withDeferredVectorIndex (HNSW dropped, rebuilt once at the end: included in the time).
async function runRagKit(kind, keepRows) {
  const { store, owner, close, openMs } = await openStore(kind);
  const stage = { chunk: 0, embed: 0, write: 0, index: 0 };
  let chunks = 0;
  const rows = keepRows ? [] : null;
  const t0 = performance.now();
  let tFnEnd = 0;
  await store.withDeferredVectorIndex(async () => {
    for (let i = 0; i < docs.length; i += BATCH) {
      const batch = docs.slice(i, i + BATCH);
      let t = performance.now();
      const drafts = [];
      for (const d of batch) drafts.push(await chunkDocument(loaded(d), chunkOptions));
      stage.chunk += performance.now() - t;
      t = performance.now();
      const vectors = await store.embedder.embed(
        drafts.flatMap((ds) => ds.map((c) => c.text)),
        { kind: "document" },
      );
      stage.embed += performance.now() - t;
      t = performance.now();
      let v = 0;
      const inputs = batch.map((d, j) => ({
        text: d.text,
        title: d.title,
        source: "bench",
        sourceId: d.id,
        chunks: drafts[j].map((c) => ({
          text: c.text,
          start: c.start,
          end: c.end,
          metadata: c.metadata,
          embedding: vectors[v++],
        })),
      }));
      await store.putDocuments(tenant, inputs);
      stage.write += performance.now() - t;
      for (const ds of drafts) chunks += ds.length;
      if (rows) rows.push(...inputs);
    }
    tFnEnd = performance.now();
  });
  const t1 = performance.now();
  stage.index = t1 - tFnEnd;
  const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM ${store.schema}.chunks`);
  if (n !== chunks) throw new Error(`RagKit wrote ${n} chunk rows, expected ${chunks}`);
  await close();
  return { ms: t1 - t0, openMs, chunks, stage, rows };
}

// ---- RagKit: plain per-document path (ingestDocument, HNSW index present) ---------------------------------
async function runRagKitPerDoc(kind, subset) {
  const { store, close } = await openStore(kind);
  let chunks = 0;
  const t0 = performance.now();
  for (const d of subset) {
    const r = await ingestDocument(
      store,
      tenant,
      { data: Buffer.from(d.text, "utf8"), filename: `${d.id}.txt`, mimeType: "text/plain", sourceId: d.id },
      { source: "bench", title: d.title ?? undefined, chunking: chunkOptions },
    );
    chunks += r.chunks;
  }
  const ms = performance.now() - t0;
  await close();
  return { ms, chunks, docs: subset.length };
}

// ---- LlamaIndex.TS: IngestionPipeline ------------------------------------------------------------------
/** The same OfflineEmbedder as a LlamaIndex BaseEmbedding, batched like RagKit (one embed call per batch). */
class OfflineLlamaEmbedding extends BaseEmbedding {
  constructor(embedder) {
    super();
    this.embedder = embedder;
    this.embedBatchSize = 256;
    this.embedMs = 0;
    this.getTextEmbeddings = async (texts) => {
      const t = performance.now();
      const out = await this.embedder.embed(texts, { kind: "document" });
      this.embedMs += performance.now() - t;
      return out;
    };
  }
  async getTextEmbedding(text) {
    return (await this.getTextEmbeddings([text]))[0];
  }
}

const sampleOf = (nodes) =>
  nodes.slice(0, 200).map((n) => ({ docId: n.sourceNode?.nodeId, text: n.getContent("embed") }));

class TimedSimpleVectorStore extends SimpleVectorStore {
  addMs = 0;
  async add(nodes) {
    const t = performance.now();
    const r = await super.add(nodes);
    this.addMs += performance.now() - t;
    return r;
  }
}

class TimedPGVectorStore extends PGVectorStore {
  addMs = 0;
  embedded = null;
  async add(nodes) {
    // What was embedded, taken before add: PGVectorStore adds a create_date to each node's metadata.
    this.embedded ??= sampleOf(nodes);
    const t = performance.now();
    const r = await super.add(nodes);
    this.addMs += performance.now() - t;
    return r;
  }
}

/**
 * cache=false: no ingestion cache (no per-transform SHA-256 over all node texts + JSON copies): its fastest setup.
 * postgres=true: PGVectorStore on a fresh database of the benchmark server, connected (and its table created)
 * before the clock starts, as RagKit's store open is not timed either. PGVectorStore creates no vector index, so
 * an HNSW build on its table (same parameters as RagKit's) is timed separately afterwards.
 */
async function runLlamaIndex({ cache, sample, postgres = false }) {
  const embedModel = new OfflineLlamaEmbedding(new OfflineEmbedder());
  const db = postgres ? await benchDatabase() : null;
  const vectorStore = db
    ? new TimedPGVectorStore({ clientConfig: { connectionString: db.ownerUrl }, dimensions: 384, embedModel })
    : new TimedSimpleVectorStore({ embedModel });
  if (db) await vectorStore.client();
  const splitter = new SentenceSplitter({ chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP });
  const pipeline = new IngestionPipeline({
    transformations: [splitter, embedModel],
    vectorStore,
    disableCache: !cache,
  });
  const t0 = performance.now();
  // No metadata on the documents, so MetadataMode.EMBED content is exactly the chunk text (checked below).
  const documents = docs.map((d) => new Document({ text: d.text, id_: d.id, excludedEmbedMetadataKeys: [] }));
  const nodes = await pipeline.run({ documents });
  const ms = performance.now() - t0;
  let indexMs = null;
  let stored;
  if (db) {
    const client = new pg.Client({ connectionString: db.ownerUrl });
    await client.connect();
    try {
      const table = `${vectorStore.schemaName}.${vectorStore.tableName}`;
      stored = (await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
      const t = performance.now();
      await client.query(
        `CREATE INDEX ON ${table} USING hnsw (embeddings vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
      );
      indexMs = performance.now() - t;
    } finally {
      await client.end();
    }
    await (await vectorStore.client()).close();
    await db.drop();
  } else {
    stored = Object.keys(vectorStore.data.embeddingDict).length;
  }
  if (stored !== nodes.length)
    throw new Error(`the vector store holds ${stored} vectors, expected ${nodes.length}`);
  const sampleTexts = sample ? (vectorStore.embedded ?? sampleOf(nodes)) : null;
  return {
    ms,
    chunks: nodes.length,
    stage: {
      embed: embedModel.embedMs,
      store: vectorStore.addMs,
      splitAndRest: ms - embedModel.embedMs - vectorStore.addMs,
    },
    indexMs,
    sampleTexts,
  };
}

// ---- warm-up (module loads: both copies of @llamaindex/core decode cl100k at first use; JIT) -------------
{
  const warm = docs.slice(0, Math.min(20, docs.length));
  for (const d of warm) await chunkDocument(loaded(d), chunkOptions);
  new SentenceSplitter({ chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP }).splitText(
    warm.map((d) => d.text).join("\n\n"),
  );
  await new OfflineEmbedder().embed(warm.map((d) => d.text));
}

// ---- one driver kind: interleaved runs, per-document path, HNSW --------------------------------------------
const best = (runs) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
const side = (run, extra = {}) => ({
  docs: docs.length,
  chunks: run.chunks,
  seconds: round(secs(run.ms), 3),
  docsPerSec: round(docs.length / secs(run.ms), 1),
  chunksPerSec: round(run.chunks / secs(run.ms), 1),
  stagesSeconds: Object.fromEntries(Object.entries(run.stage).map(([k, v]) => [k, round(secs(v), 3)])),
  runsSeconds: extra.runs?.map((x) => round(secs(x.ms), 3)),
  ...extra.more,
});

async function suite(kind) {
  const postgres = kind === "postgres";
  const baseline = postgres ? "LlamaIndex + PGVectorStore" : "LlamaIndex + SimpleVectorStore";
  log(`\n== ${postgres ? "real PostgreSQL (pool 20)" : "embedded PGlite"}; ${describeLoad(loadContext())}`);
  const machine = { before: loadContext() };
  const ragkitRuns = [];
  const llamaRuns = [];
  const llamaCachedRuns = [];
  let rows = null;
  for (let r = 0; r < RUNS; r++) {
    gc();
    const rk = await runRagKit(kind, r === 0);
    if (rk.rows) rows = rk.rows;
    delete rk.rows;
    ragkitRuns.push(rk);
    log(`  run ${r + 1} RagKit bulk           ${secs(rk.ms).toFixed(2)} s  (${rk.chunks} chunks)`);
    gc();
    const li = await runLlamaIndex({ cache: false, sample: r === 0, postgres });
    if (li.sampleTexts) {
      // Same text embedded on both sides: LlamaIndex's EMBED content is the bare chunk text.
      const byId = new Map(docs.map((d) => [d.id, d.text]));
      const raw = li.sampleTexts.every((n) => byId.get(n.docId)?.includes(n.text));
      if (!raw)
        throw new Error(
          "LlamaIndex embeds text that is not a substring of the documents (metadata leaked in?)",
        );
    }
    delete li.sampleTexts;
    llamaRuns.push(li);
    log(`  run ${r + 1} ${baseline} (no cache) ${secs(li.ms).toFixed(2)} s  (${li.chunks} chunks)`);
    // LlamaIndex's default setup (ingestion cache on) once only: it does strictly more work (a SHA-256 over all
    // node texts and a JSON copy of all nodes per transform), so it is not the baseline the ratio uses.
    if (r > 0) continue;
    gc();
    const lc = await runLlamaIndex({ cache: true, postgres });
    llamaCachedRuns.push(lc);
    log(`  run ${r + 1} ${baseline} (default)  ${secs(lc.ms).toFixed(2)} s  (${lc.chunks} chunks)`);
  }
  const rk = best(ragkitRuns);
  const li = best(llamaRuns);
  const lc = best(llamaCachedRuns);

  // ---- per-document path ------------------------------------------------------------------------------
  const perDocN = Math.min(docs.length, Number(values["per-doc-limit"]));
  let perDoc = null;
  if (perDocN > 0) {
    gc();
    const p = await runRagKitPerDoc(kind, docs.slice(0, perDocN));
    perDoc = {
      docs: p.docs,
      chunks: p.chunks,
      seconds: round(secs(p.ms), 3),
      docsPerSec: round(p.docs / secs(p.ms), 1),
      chunksPerSec: round(p.chunks / secs(p.ms), 1),
    };
  }

  // ---- HNSW: the same pre-embedded chunk rows, index present vs deferred ---------------------------------
  const hnswTarget = Number(values["hnsw-rows"]);
  const hnswDocs = [];
  let hnswRows = 0;
  for (const input of rows) {
    if (hnswRows >= hnswTarget) break;
    hnswDocs.push(input);
    hnswRows += input.chunks.length;
  }
  async function insertRows(deferred) {
    const { store, owner, close } = await openStore(kind);
    const write = async () => {
      for (let i = 0; i < hnswDocs.length; i += BATCH)
        await store.putDocuments(tenant, hnswDocs.slice(i, i + BATCH));
    };
    const t0 = performance.now();
    let tInserted = 0;
    if (deferred) {
      await store.withDeferredVectorIndex(async () => {
        await write();
        tInserted = performance.now();
      });
    } else {
      await write();
      tInserted = performance.now();
    }
    const t1 = performance.now();
    const [{ present }] = await owner.query(
      `SELECT count(*)::int AS present FROM pg_indexes WHERE schemaname = $1 AND indexname = 'chunks_embedding_hnsw'`,
      [store.schema],
    );
    if (present !== 1) throw new Error("HNSW index missing after the insert run");
    await close();
    return { totalMs: t1 - t0, insertMs: tInserted - t0, buildMs: t1 - tInserted };
  }
  let hnsw = null;
  if (hnswRows > 0) {
    gc();
    const withIndex = await insertRows(false);
    gc();
    const deferred = await insertRows(true);
    hnsw = {
      rows: hnswRows,
      docs: hnswDocs.length,
      withIndex: {
        seconds: round(secs(withIndex.totalMs), 3),
        rowsPerSec: round(hnswRows / secs(withIndex.totalMs), 1),
      },
      deferred: {
        seconds: round(secs(deferred.totalMs), 3),
        rowsPerSec: round(hnswRows / secs(deferred.totalMs), 1),
        insertOnlyRowsPerSec: round(hnswRows / secs(deferred.insertMs), 1),
        indexBuildSeconds: round(secs(deferred.buildMs), 3),
      },
    };
  }
  machine.after = loadContext();
  // Like for like without the vector index: RagKit's time minus its deferred HNSW build vs the baseline's
  // (PGVectorStore builds none); and with one: the baseline plus an HNSW build on its table.
  const withoutIndex = rk.ms - rk.stage.index;
  const report = {
    driver: kind,
    baseline,
    machine,
    ragkit: side(rk, { runs: ragkitRuns, more: { storeOpenSeconds: round(secs(rk.openMs), 3) } }),
    llamaindex: side(li, {
      runs: llamaRuns,
      more: {
        config: `IngestionPipeline, disableCache: true, ${baseline}`,
        ...(li.indexMs !== null ? { hnswBuildSeconds: round(secs(li.indexMs), 3) } : {}),
      },
    }),
    llamaindexDefault: side(lc, {
      runs: llamaCachedRuns,
      more: { config: `IngestionPipeline, default (cache on), ${baseline}` },
    }),
    ratio: round(li.ms / rk.ms, 3),
    ratioVsDefault: round(lc.ms / rk.ms, 3),
    ratioWithoutIndex: round(li.ms / withoutIndex, 3),
    ratioBothIndexed: li.indexMs !== null ? round((li.ms + li.indexMs) / rk.ms, 3) : null,
    ragkitPerDocument: perDoc,
    hnsw,
  };
  const line = (name, s) =>
    log(
      `${name.padEnd(36)} ${String(s.docs).padStart(5)} docs ${String(s.chunks).padStart(6)} chunks ` +
        `${s.seconds.toFixed(2).padStart(7)} s ${s.docsPerSec.toFixed(1).padStart(8)} docs/s ${s.chunksPerSec.toFixed(1).padStart(8)} chunks/s`,
    );
  log("");
  line(`RagKit (bulk, ${postgres ? "Postgres" : "PGlite"})`, report.ragkit);
  line(`${baseline} (no cache)`, report.llamaindex);
  line(`${baseline} (default cache)`, report.llamaindexDefault);
  if (perDoc) line("RagKit (ingestDocument/doc)", perDoc);
  log(
    `RagKit stages (s): ${JSON.stringify(report.ragkit.stagesSeconds)}; store open ${report.ragkit.storeOpenSeconds} s (not timed)`,
  );
  log(
    `LlamaIndex stages (s): ${JSON.stringify(report.llamaindex.stagesSeconds)}` +
      (li.indexMs !== null ? `; HNSW build on its table afterwards ${secs(li.indexMs).toFixed(2)} s` : ""),
  );
  log(
    `ratio RagKit/${baseline} (speed): ×${report.ratio} vs no-cache, ×${report.ratioVsDefault} vs default; ` +
      `without RagKit's HNSW build ×${report.ratioWithoutIndex}` +
      (report.ratioBothIndexed !== null ? `; both with an HNSW index ×${report.ratioBothIndexed}` : "") +
      `  (${describeLoad(machine.before)} → ${describeLoad(machine.after)})`,
  );
  if (hnsw) {
    log(
      `HNSW, ${hnsw.rows} chunk rows (${hnsw.docs} docs): index present ${hnsw.withIndex.rowsPerSec} rows/s; ` +
        `deferred ${hnsw.deferred.rowsPerSec} rows/s incl. build (${hnsw.deferred.insertOnlyRowsPerSec} rows/s inserts only, ` +
        `build ${hnsw.deferred.indexBuildSeconds} s)`,
    );
  }
  return report;
}

const results = {
  corpus: "scifact",
  docs: docs.length,
  chunkSize: CHUNK_SIZE,
  chunkOverlap: CHUNK_OVERLAP,
  batch: BATCH,
  runs: RUNS,
  node: process.version,
  drivers: [],
};
try {
  for (const kind of DRIVERS) results.drivers.push(await suite(kind));
} finally {
  await stopBenchPostgres();
}
if (values.json) console.log(JSON.stringify(results));

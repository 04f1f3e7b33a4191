#!/usr/bin/env node
// RagKit quickstart: an embedded store (PGlite + pgvector, in this process), the offline embedder, two
// tenants with their own documents, and one hybrid search per tenant, showing neither sees the other's data.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// Subpath entries: the store and the ingestion pipeline only, so the agent (LangChain) is never loaded.
import { ingestDocument } from "@ragkit/core/ingest";
import { createTenantContext, KnowledgeStore } from "@ragkit/core/store";

const here = dirname(fileURLToPath(import.meta.url));
const started = performance.now();

console.log("Opening an embedded RagKit store (PGlite + pgvector, offline embedder)…");
const store = await KnowledgeStore.open(); // zero configuration: in-memory Postgres in this process

// In a real app these contexts come from verified JWT claims (see @ragkit/server); here the operator is trusted.
const tenants = {
  acme: createTenantContext({ tenantId: "acme", userId: "quickstart", source: "cli" }),
  globex: createTenantContext({ tenantId: "globex", userId: "quickstart", source: "cli" }),
};

for (const [name, ctx] of Object.entries(tenants)) {
  await store.ensureTenant(ctx, { name });
  for (const file of readdirSync(join(here, "samples", name)).sort()) {
    const result = await ingestDocument(store, ctx, {
      data: readFileSync(join(here, "samples", name, file)),
      filename: file,
      sourceId: `samples/${name}/${file}`,
    });
    console.log(`  [${name}] ${file}: ${result.outcome}, ${result.chunks} chunks`);
  }
}

const questions = [
  ["acme", "How many vacation days do employees get?"],
  ["globex", "What does the warranty cover?"],
  // The same question asked by the other tenant: each sees only its own documents.
  ["acme", "What does the warranty cover?"],
  ["globex", "How many vacation days do employees get?"],
];

for (const [name, question] of questions) {
  const hits = await store.search(tenants[name], { query: question, mode: "hybrid", topK: 2 });
  console.log(`\n[${name}] ${question}`);
  if (hits.length === 0) console.log("  (no results)");
  for (const [i, hit] of hits.entries()) {
    const where = [hit.documentTitle, hit.sectionTitle].filter(Boolean).join(" › ");
    const snippet = hit.text.replace(/\s+/g, " ").slice(0, 140);
    const channels = [
      hit.scores.lexical ? `bm25 #${hit.scores.lexical.rank}` : null,
      hit.scores.dense ? `dense #${hit.scores.dense.rank}` : null,
    ]
      .filter(Boolean)
      .join(", ");
    console.log(`  ${i + 1}. ${where} [chars ${hit.start}–${hit.end}] (${channels})`);
    console.log(`     “${snippet}${hit.text.length > 140 ? "…" : ""}”`);
  }
}

const foreign = [];
for (const [name, ctx] of Object.entries(tenants)) {
  const hits = await store.search(ctx, { query: "warranty vacation firmware password expenses", topK: 50 });
  const docs = await store.listDocuments(ctx);
  const own = new Set(docs.documents.map((d) => d.id));
  foreign.push(...hits.filter((h) => !own.has(h.documentId)));
  console.log(
    `\n[${name}] sees ${docs.documents.length} documents; a broad search returned ${hits.length} chunks, all its own.`,
  );
}
await store.close();
if (foreign.length) {
  console.error(`ISOLATION FAILURE: ${foreign.length} results from another tenant`);
  process.exit(1);
}
console.log(
  `\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s. Tenants are isolated by row-level security.`,
);

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RagKitError } from "../../src/errors/index.js";
import { migrations } from "../../src/migrations/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { type DriverKind, driverKinds, startDatabase, type TestDatabase } from "../support/databases.js";
import { faq, fixedEmbedder, handbook, paragraphsDoc } from "../support/fixtures.js";

/** The same store behaviour on every driver kind: embedded PGlite, `pg` over the wire to PGlite, real Postgres. */
describe.each(driverKinds)("store conformance (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  const acme = createTenantContext({ tenantId: "acme", userId: "alice", source: "test" });
  const globex = createTenantContext({ tenantId: "globex", userId: "bob", source: "test" });
  const ghost = createTenantContext({ tenantId: "ghost" });

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await KnowledgeStore.open({ ...db.storeOptions });
    await store.ensureTenant(acme, { name: "Acme" });
    await store.ensureTenant(globex, { name: "Globex" });
  });
  afterAll(async () => {
    await db?.stop();
  });

  describe("migrations and settings", () => {
    it("applies each migration once and re-opens idempotently", async () => {
      const again = await KnowledgeStore.open({ ...db.storeOptions });
      expect(again.schema).toBe("ragkit");
      const rows = await db.driver.query<{ version: number }>(
        "SELECT version FROM ragkit.migrations ORDER BY 1",
      );
      expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    });

    it("refuses a released migration whose SQL changed", async () => {
      await db.owner.query("UPDATE ragkit.migrations SET checksum = 'tampered' WHERE version = 1");
      try {
        await expect(KnowledgeStore.open({ ...db.storeOptions })).rejects.toMatchObject({
          code: "config_error",
        });
      } finally {
        await db.owner.query("UPDATE ragkit.migrations SET checksum = $1 WHERE version = 1", [
          (await import("node:crypto"))
            .createHash("sha256")
            .update(migrations[0]!.sql({ schema: "ragkit", appRole: "ragkit_app" }))
            .digest("hex")
            .slice(0, 16),
        ]);
      }
    });

    it("rejects an embedder of another dimension with a clear error", async () => {
      const error = await KnowledgeStore.open({
        ...db.storeOptions,
        embedder: fixedEmbedder("other", 8),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RagKitError);
      expect(error).toMatchObject({ code: "dimension_mismatch" });
      expect((error as Error).message).toMatch(/384-dimensional.*8 dimensions/);
    });

    it("rejects another embedder of the same dimension unless allowed", async () => {
      await expect(
        KnowledgeStore.open({ ...db.storeOptions, embedder: fixedEmbedder("other-384", 384) }),
      ).rejects.toMatchObject({ code: "config_error" });
      await expect(
        KnowledgeStore.open({
          ...db.storeOptions,
          embedder: fixedEmbedder("other-384", 384),
          allowEmbedderChange: true,
        }),
      ).resolves.toBeInstanceOf(KnowledgeStore);
    });

    it("validates options", async () => {
      await expect(
        KnowledgeStore.open({ ...db.storeOptions, schema: "Robert'); DROP TABLE x;--" }),
      ).rejects.toMatchObject({ code: "invalid_input" });
    });
  });

  describe("documents", () => {
    it("creates, deduplicates and replaces documents", async () => {
      const first = await store.putDocument(
        acme,
        paragraphsDoc(handbook, { title: "Handbook", sourceId: "hb.md" }),
      );
      expect(first.outcome).toBe("created");
      expect(first.document).toMatchObject({
        tenantId: "acme",
        title: "Handbook",
        chunkCount: 6,
        uploadedBy: "alice",
      });
      expect(first.document.tokenCount).toBeGreaterThan(20);

      const same = await store.putDocument(
        acme,
        paragraphsDoc(handbook, { title: "Handbook", sourceId: "hb.md" }),
      );
      expect(same).toMatchObject({ outcome: "unchanged", document: { id: first.document.id } });

      const changed = `${handbook}\n\nParking\n\nVisitor parking is on level two.`;
      const replaced = await store.putDocument(
        acme,
        paragraphsDoc(changed, { title: "Handbook", sourceId: "hb.md" }),
      );
      expect(replaced).toMatchObject({
        outcome: "replaced",
        document: { id: first.document.id, chunkCount: 8 },
      });
      const chunks = await store.listChunks(acme, first.document.id);
      expect(chunks.map((c) => c.chunkIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const { text } = await store.getDocumentText(acme, first.document.id);
      for (const c of chunks) expect(text.slice(c.start, c.end)).toBe(c.text);
    });

    it("deduplicates by content hash within a tenant but never across tenants", async () => {
      const a1 = await store.putDocument(acme, paragraphsDoc(faq));
      const a2 = await store.putDocument(acme, paragraphsDoc(faq));
      const g1 = await store.putDocument(globex, paragraphsDoc(faq));
      expect(a1.outcome).toBe("created");
      expect(a2).toMatchObject({ outcome: "unchanged", document: { id: a1.document.id } });
      expect(g1.outcome).toBe("created");
      expect(g1.document.id).not.toBe(a1.document.id);
      await store.deleteDocument(acme, a1.document.id);
      await store.deleteDocument(globex, g1.document.id);
    });

    it("writes a batch atomically and rejects duplicates inside one batch", async () => {
      const results = await store.putDocuments(acme, [
        paragraphsDoc("Alpha one.\n\nAlpha two.", { sourceId: "batch-a" }),
        paragraphsDoc("Beta one.", { sourceId: "batch-b" }),
      ]);
      expect(results.map((r) => r.outcome)).toEqual(["created", "created"]);
      expect(results.map((r) => r.document.chunkCount)).toEqual([2, 1]);
      await expect(
        store.putDocuments(acme, [
          paragraphsDoc("Gamma.", { sourceId: "dup" }),
          paragraphsDoc("Delta.", { sourceId: "dup" }),
        ]),
      ).rejects.toMatchObject({ code: "invalid_input" });
      for (const r of results) await store.deleteDocument(acme, r.document.id);
    });

    it("leaves nothing behind when a write fails half-way", async () => {
      const before = await store.listDocuments(acme, { limit: 500 });
      // A NUL byte passes validation but Postgres rejects it while inserting the second chunk, after the
      // document row was written: the whole transaction must roll back.
      const bad = paragraphsDoc("Fine paragraph.\n\nBad paragraph.", { sourceId: "half" });
      bad.chunks[1]!.sectionTitle = "bad\u0000title";
      await expect(store.putDocument(acme, bad)).rejects.toBeInstanceOf(RagKitError);
      const after = await store.listDocuments(acme, { limit: 500 });
      expect(after.documents.map((d) => d.id)).toEqual(before.documents.map((d) => d.id));
      const orphans = await store.withTenant(acme, (tx) =>
        tx.query(
          "SELECT 1 FROM ragkit.chunks c LEFT JOIN ragkit.documents d ON d.id = c.document_id WHERE d.id IS NULL",
        ),
      );
      expect(orphans).toHaveLength(0);
    });

    it("rejects bad documents before writing anything", async () => {
      const cases: Array<[string, Parameters<KnowledgeStore["putDocument"]>[1]]> = [
        ["offset past end", { text: "short", chunks: [{ text: "short", start: 0, end: 99 }] }],
        ["end before start", { text: "short", chunks: [{ text: "s", start: 3, end: 1 }] }],
        ["empty chunk", { text: "short", chunks: [{ text: "", start: 0, end: 0 }] }],
        ["bad source", { text: "x", source: "S3; DROP", chunks: [] }],
        ["wrong dimension", { text: "x", chunks: [{ text: "x", start: 0, end: 1, embedding: [1, 2, 3] }] }],
        [
          "NaN vector",
          { text: "x", chunks: [{ text: "x", start: 0, end: 1, embedding: Array(384).fill(Number.NaN) }] },
        ],
      ];
      for (const [label, input] of cases) {
        const error = await store.putDocument(acme, input).catch((e: unknown) => e);
        expect(error, label).toMatchObject({ code: "invalid_input" });
      }
      const count = await store.withTenant(acme, (tx) =>
        tx.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM ragkit.documents WHERE text IN ('short', 'x')",
        ),
      );
      expect(count[0]!.n).toBe(0);
    });

    it("lists with keyset pagination and a status filter", async () => {
      const created = await store.putDocuments(
        acme,
        Array.from({ length: 7 }, (_, i) => paragraphsDoc(`Page doc ${i}.`, { sourceId: `page-${i}` })),
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.listDocuments(acme, { limit: 3, cursor });
        seen.push(...page.documents.map((d) => d.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(new Set(seen).size).toBe(seen.length);
      for (const c of created) expect(seen).toContain(c.document.id);
      expect((await store.listDocuments(acme, { status: "failed" })).documents).toHaveLength(0);
      await expect(store.listDocuments(acme, { cursor: "garbage" })).rejects.toMatchObject({
        code: "invalid_input",
      });
      await expect(store.listDocuments(acme, { limit: 0 })).rejects.toMatchObject({ code: "invalid_input" });
      for (const c of created) await store.deleteDocument(acme, c.document.id);
    });

    it("deletes a document with its chunks, postings and statistics", async () => {
      const stats = () =>
        store.withTenant(acme, async (tx) => ({
          lexical: await tx.query<{ n: string }>("SELECT chunk_count::text AS n FROM ragkit.lexical_stats"),
          postings: await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM ragkit.chunk_terms"),
        }));
      const before = await stats();
      const { document } = await store.putDocument(
        acme,
        paragraphsDoc("Zanzibar quokka.\n\nQuokka habitat."),
      );
      const during = await stats();
      expect(Number(during.lexical[0]!.n)).toBe(Number(before.lexical[0]?.n ?? 0) + 2);
      expect(during.postings[0]!.n).toBeGreaterThan(before.postings[0]!.n);
      await store.deleteDocument(acme, document.id);
      expect(await stats()).toEqual(before);
      await expect(store.getDocument(acme, document.id)).rejects.toMatchObject({ code: "not_found" });
    });

    it("answers malformed, missing and other tenants' ids identically", async () => {
      const { document } = await store.putDocument(globex, paragraphsDoc("Globex secret roadmap."));
      const messages = await Promise.all(
        [document.id, "00000000-0000-4000-8000-000000000000", "not-a-uuid", "' OR 1=1 --"].map((id) =>
          store.getDocument(acme, id).catch((e: RagKitError) => `${e.code}: ${e.message}`),
        ),
      );
      expect(new Set(messages)).toEqual(new Set(["not_found: Document not found."]));
      await expect(store.deleteDocument(acme, document.id)).rejects.toMatchObject({ code: "not_found" });
      expect((await store.getDocument(globex, document.id)).id).toBe(document.id);
      await store.deleteDocument(globex, document.id);
    });

    it("refuses unknown tenants on every data method", async () => {
      const calls = [
        () => store.search(ghost, { query: "vacation" }),
        () => store.putDocument(ghost, paragraphsDoc("x")),
        () => store.listDocuments(ghost),
        () => store.audit.list(ghost),
      ];
      for (const call of calls) await expect(call()).rejects.toMatchObject({ code: "unknown_tenant" });
    });
  });

  describe("search", () => {
    beforeAll(async () => {
      await store.putDocument(
        acme,
        paragraphsDoc(handbook, { title: "Handbook", sourceId: "search-hb", metadata: { dept: "hr" } }),
      );
      await store.putDocument(
        globex,
        paragraphsDoc(faq, { title: "FAQ", sourceId: "search-faq", metadata: { dept: "support" } }),
      );
    });

    it.each(["dense", "lexical", "hybrid"] as const)(
      "%s search finds the right passage with citations",
      async (mode) => {
        const hits = await store.search(acme, {
          query: "how many paid vacation days do employees get",
          mode,
          topK: 3,
        });
        expect(hits.length).toBeGreaterThan(0);
        expect(hits[0]!.text).toContain("25 days of paid vacation");
        expect(hits[0]).toMatchObject({ documentTitle: "Handbook", source: "api" });
        expect(hits[0]!.end - hits[0]!.start).toBe(hits[0]!.text.length);
        if (mode !== "lexical") expect(hits[0]!.scores.dense?.similarity).toBeGreaterThan(0);
        if (mode !== "dense") expect(hits[0]!.scores.lexical?.bm25).toBeGreaterThan(0);
        if (mode === "hybrid") expect(hits[0]!.scores.fused).toBeCloseTo(hits[0]!.score);
        for (const h of hits) expect(h.documentTitle).not.toBe("FAQ");
      },
    );

    it("filters by metadata and document ids", async () => {
      const hr = await store.search(acme, { query: "vacation", filter: { dept: "hr" } });
      expect(hr.length).toBeGreaterThan(0);
      expect(await store.search(acme, { query: "vacation", filter: { dept: "support" } })).toEqual([]);
      expect(
        await store.search(acme, { query: "vacation", filter: { dept: { in: ["x", "hr"] } } }),
      ).not.toEqual([]);
      const docId = hr[0]!.documentId;
      const only = await store.search(acme, {
        query: "vacation remote expense",
        documentIds: [docId],
        topK: 50,
      });
      expect(new Set(only.map((h) => h.documentId))).toEqual(new Set([docId]));
    });

    it("applies the similarity threshold and top_k", async () => {
      const all = await store.search(acme, { query: "vacation", mode: "dense", topK: 50 });
      const strict = await store.search(acme, { query: "vacation", mode: "dense", topK: 50, threshold: 0.2 });
      expect(strict.length).toBeLessThan(all.length);
      for (const h of strict) expect(h.score).toBeGreaterThanOrEqual(0.2);
      expect(await store.search(acme, { query: "vacation", topK: 1 })).toHaveLength(1);
    });

    it("treats SQL metacharacters in query text as data", async () => {
      const nasty = "vacation'; DROP TABLE ragkit.chunks; -- \" \\ $1 %_";
      for (const mode of ["dense", "lexical", "hybrid"] as const) {
        const hits = await store.search(acme, { query: nasty, mode });
        expect(hits.length).toBeGreaterThan(0);
      }
      const still = await store.search(acme, { query: "vacation" });
      expect(still.length).toBeGreaterThan(0);
    });

    it("returns nothing lexical for stop-word-only queries", async () => {
      expect(await store.search(acme, { query: "the and of", mode: "lexical" })).toEqual([]);
    });

    it("rejects bad search input with typed, readable errors", async () => {
      const bad: Array<[string, Parameters<KnowledgeStore["search"]>[1], RegExp]> = [
        ["empty", { query: "" }, /query: must not be empty/],
        ["whitespace", { query: " \n\t " }, /query: must not be empty/],
        ["topK 0", { query: "x", topK: 0 }, /topK: must be ≥ 1/],
        ["topK 1001", { query: "x", topK: 1001 }, /topK: must be ≤ 1000/],
        ["topK fraction", { query: "x", topK: 2.5 }, /topK/],
        ["threshold high", { query: "x", threshold: 1.5 }, /threshold: must be ≤ 1/],
        ["threshold low", { query: "x", threshold: -1.01 }, /threshold: must be ≥ -1/],
        ["filter key", { query: "x", filter: { "dept') OR true --": "hr" } }, /filter/],
        ["filter key dots", { query: "x", filter: { "a.b": 1 } }, /filter/],
        ["vector dims", { query: "x", queryVector: [0.1, 0.2] }, /expected 384 dimensions, got 2/],
        ["vector NaN", { query: "x", queryVector: Array(384).fill(Number.NaN) }, /NaN/],
        ["unknown key", { query: "x", tenantId: "globex" } as never, /Unrecognized key|unrecognized/i],
      ];
      for (const [label, input, message] of bad) {
        const error = await store.search(acme, input).catch((e: unknown) => e);
        expect(error, label).toBeInstanceOf(RagKitError);
        expect((error as RagKitError).code, label).toBe("invalid_input");
        expect((error as RagKitError).message, label).toMatch(message);
      }
    });
  });
});

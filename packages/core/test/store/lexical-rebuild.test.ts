import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEXICAL_ANALYZER } from "../../src/analysis/index.js";
import { ConfigError } from "../../src/errors/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { type DriverKind, driverKinds, startDatabase, type TestDatabase } from "../support/databases.js";
import { paragraphsDoc } from "../support/fixtures.js";

/*
 * Postings written by an earlier release came from Postgres' to_tsvector('english'). Such a store is
 * recognised by its recorded index settings and rebuilt from the stored chunk text when its owner opens
 * it; a runtime connection that may not migrate refuses it with a clear error.
 */

const A = createTenantContext({ tenantId: "rebuild-a", source: "test" });
const B = createTenantContext({ tenantId: "rebuild-b", source: "test" });

const TEXTS = {
  a: "Running dogs chase the cats.\n\nThe quick brown foxes jumped over lazy dogs.\n\nCats don't like water.",
  b: "Generalizations about hopeful runners.\n\nConnected connections connect.",
};

describe.each(driverKinds)("lexical postings of an older analyzer (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await KnowledgeStore.open(db.storeOptions);
    for (const [ctx, text] of [
      [A, TEXTS.a],
      [B, TEXTS.b],
    ] as const) {
      await store.ensureTenant(ctx);
      await store.putDocument(ctx, paragraphsDoc(text, { sourceId: "doc" }));
    }
  });
  afterAll(async () => {
    await db?.stop();
  });

  /** Everything the lexical index consists of, per tenant, as the owner sees it. */
  const snapshot = async () => ({
    postings: await db.owner.query(
      `SELECT t.tenant_id, t.term, c.text, t.tf, t.doc_length FROM ragkit.chunk_terms t
       JOIN ragkit.chunks c ON c.id = t.chunk_id ORDER BY 1, 2, 3`,
    ),
    chunks: await db.owner.query("SELECT tenant_id, text, lexical_length FROM ragkit.chunks ORDER BY 1, 2"),
    documents: await db.owner.query("SELECT tenant_id, token_count FROM ragkit.documents ORDER BY 1"),
    stats: await db.owner.query(
      "SELECT tenant_id, chunk_count::int, total_length::int FROM ragkit.lexical_stats ORDER BY 1",
    ),
  });
  const searches = async (s: KnowledgeStore) =>
    Promise.all(
      ["running dog", "cat water", "connect", "hope"].flatMap((query) =>
        [A, B].map((ctx) =>
          s.search(ctx, { query, mode: "lexical", topK: 10 }).then((r) => r.map((h) => [h.text, h.score])),
        ),
      ),
    );

  /** Turns the store into what an earlier release left: to_tsvector postings and the old settings record. */
  async function makeLegacy(): Promise<void> {
    await db.owner.exec(`
      DELETE FROM ragkit.chunk_terms;
      UPDATE ragkit.chunks c SET lexical_length =
        (SELECT coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0) FROM unnest(to_tsvector('english', c.text)) u);
      INSERT INTO ragkit.chunk_terms (tenant_id, term, chunk_id, tf, doc_length)
        SELECT c.tenant_id, l.lexeme, c.id, coalesce(array_length(l.positions, 1), 1), c.lexical_length
        FROM ragkit.chunks c, unnest(to_tsvector('english', c.text)) l;
      UPDATE ragkit.lexical_stats ls SET total_length = (SELECT sum(lexical_length) FROM ragkit.chunks c WHERE c.tenant_id = ls.tenant_id);
      UPDATE ragkit.store_meta SET value = (value - 'lexicalAnalyzer') || '{"textSearchConfig": "english"}' WHERE key = 'index';
    `);
  }

  it("records the analyzer, refuses a runtime-only open of legacy postings, and the owner rebuilds them exactly", async () => {
    const [meta] = await db.owner.query<{ value: Record<string, unknown> }>(
      "SELECT value FROM ragkit.store_meta WHERE key = 'index'",
    );
    expect(meta!.value).toMatchObject({ lexicalAnalyzer: LEXICAL_ANALYZER });
    const fresh = await snapshot();
    const freshResults = await searches(store);
    expect(freshResults.flat().length).toBeGreaterThan(4);

    await makeLegacy();
    const legacy = await snapshot();
    expect(legacy.postings).not.toEqual(fresh.postings); // Snowball + Postgres stop words differ

    await expect(KnowledgeStore.open({ driver: db.driver, migrate: false })).rejects.toThrow(ConfigError);
    await expect(KnowledgeStore.open({ driver: db.driver, migrate: false })).rejects.toThrow(
      /built by "postgres:english".*owner connection/,
    );

    const reopened = await KnowledgeStore.open(db.storeOptions);
    expect(await snapshot()).toEqual(fresh);
    expect(await searches(reopened)).toEqual(freshResults);
    const [after] = await db.owner.query<{ value: Record<string, unknown> }>(
      "SELECT value FROM ragkit.store_meta WHERE key = 'index'",
    );
    expect(after!.value).toMatchObject({ lexicalAnalyzer: LEXICAL_ANALYZER });
    expect(after!.value).not.toHaveProperty("textSearchConfig");
    // Row-level security is forced again on every tenant table the rebuild touched.
    const forced = await db.owner.query<{ relname: string; relforcerowsecurity: boolean }>(
      `SELECT relname, relforcerowsecurity FROM pg_class WHERE relnamespace = 'ragkit'::regnamespace
       AND relname IN ('documents', 'chunks', 'chunk_terms', 'lexical_stats') ORDER BY 1`,
    );
    expect(forced.map((r) => r.relforcerowsecurity)).toEqual([true, true, true, true]);
    // A second open finds nothing to do and changes nothing.
    await KnowledgeStore.open(db.storeOptions);
    expect(await snapshot()).toEqual(fresh);
  });

  it("rejects the removed textSearchConfig option with a typed error", async () => {
    await expect(
      KnowledgeStore.open({ ...db.storeOptions, ...({ textSearchConfig: "german" } as object) }),
    ).rejects.toThrow(/textSearchConfig store option was removed/);
  });
});

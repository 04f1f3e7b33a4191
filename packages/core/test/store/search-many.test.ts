import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Queryable, SqlDriver } from "../../src/db/driver.js";
import { ValidationError } from "../../src/errors/index.js";
import type { SearchInput } from "../../src/search/types.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { type DriverKind, driverKinds, startDatabase, type TestDatabase } from "../support/databases.js";
import { faq, handbook, paragraphsDoc } from "../support/fixtures.js";

interface Recorded {
  transactions: number;
  /** Statements sent inside transactions, in order. */
  statements: string[];
}

type AfterStatement = (sql: string, tx: Queryable) => void | Promise<void>;

/**
 * The store's driver with every transaction and statement recorded; `afterStatement` may act on each, with the
 * transaction's own (unrecorded) connection.
 */
function recording(driver: SqlDriver, log: Recorded, afterStatement?: AfterStatement): SqlDriver {
  const wrap = (q: Queryable): Queryable => ({
    exec: (sql) => q.exec(sql),
    query: async <R>(sql: string, params?: readonly unknown[]) => {
      log.statements.push(sql);
      const rows = await q.query<R>(sql, params);
      await afterStatement?.(sql, q);
      return rows;
    },
  });
  return {
    kind: driver.kind,
    query: (sql, params) => driver.query(sql, params),
    exec: (sql) => driver.exec(sql),
    close: async () => {},
    transaction: (fn) => {
      log.transactions++;
      return driver.transaction((tx) => fn(wrap(tx)));
    },
  };
}

const isLexical = (sql: string) => sql.trimStart().startsWith("WITH q AS");
const isDense = (sql: string) => sql.trimStart().startsWith("WITH cand AS");

describe.each(driverKinds)("searchMany (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  const acme = createTenantContext({ tenantId: "acme-many", userId: "alice", source: "test" });
  const globex = createTenantContext({ tenantId: "globex-many", userId: "bob", source: "test" });
  const searches: SearchInput[] = [
    { query: "paid vacation days", mode: "hybrid", topK: 3 },
    { query: "remote work approval", mode: "lexical", topK: 2 },
    { query: "how many vacation days expire", mode: "dense", topK: 4 },
    { query: "vacation", mode: "hybrid", topK: 5, filter: { team: "hr" } },
  ];

  /** A second store on the same database whose statements are recorded. */
  async function recordedStore(afterStatement?: AfterStatement) {
    const log: Recorded = { transactions: 0, statements: [] };
    const recorded = await KnowledgeStore.open({
      ...db.storeOptions,
      driver: recording(db.driver, log, afterStatement),
    });
    log.transactions = 0; // opening checked the schema
    log.statements.length = 0;
    return { recorded, log };
  }

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await KnowledgeStore.open({ ...db.storeOptions });
    await store.ensureTenant(acme);
    await store.ensureTenant(globex);
    await store.putDocument(acme, {
      ...paragraphsDoc(handbook),
      title: "Handbook",
      metadata: { team: "hr" },
    });
    await store.putDocument(globex, { ...paragraphsDoc(faq), title: "FAQ" });
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("returns, in input order, exactly what each search returns on its own", async () => {
    const many = await store.searchMany(acme, searches);
    expect(many).toHaveLength(searches.length);
    for (const [i, search] of searches.entries()) {
      expect(many[i], search.query).toEqual(await store.search(acme, search));
    }
    expect(many.every((results) => results.length > 0)).toBe(true);
    // Each tenant sees only its own documents.
    const other = await store.searchMany(globex, searches);
    expect(other.flat().every((r) => r.documentTitle === "FAQ")).toBe(true);
  });

  it("runs every search in one transaction, the scan settings in the statement that enters the tenant", async () => {
    const { recorded, log } = await recordedStore();
    await recorded.searchMany(acme, searches);
    expect(log.transactions).toBe(1);
    const [entry, ...rest] = log.statements;
    expect(entry).toContain("set_config('ragkit.tenant_id'");
    expect(entry).toContain("set_config($3, $4, true)");
    expect(rest.filter(isDense)).toHaveLength(3);
    expect(rest.filter(isLexical)).toHaveLength(3);
    expect(rest).toHaveLength(6);

    // A single dense search: the same, one statement to enter and scan-configure, one to search.
    log.statements.length = 0;
    await recorded.search(acme, searches[2]!);
    expect(log.statements.map((s) => (isDense(s) ? "dense" : s.includes("$3, $4") ? "entry" : s))).toEqual([
      "entry",
      "dense",
    ]);
    // Lexical only: no vector settings at all.
    log.statements.length = 0;
    await recorded.search(acme, searches[1]!);
    expect(log.statements[0]).not.toContain("$3");
    expect(log.statements.slice(1).map(isLexical)).toEqual([true]);
  });

  it("the scan settings are in force for the searches, sized by the deepest dense search", async () => {
    const seen: string[] = [];
    const { recorded } = await recordedStore(async (sql, tx) => {
      if (!sql.includes("set_config('ragkit.tenant_id'")) return;
      const [row] = await tx.query<{ ef: string; scan: string; tuples: string }>(
        `SELECT current_setting('hnsw.ef_search', true) AS ef, current_setting('hnsw.iterative_scan', true) AS scan,
                current_setting('hnsw.max_scan_tuples', true) AS tuples`,
      );
      seen.push(`${row?.ef}|${row?.scan}|${row?.tuples}`);
    });
    await recorded.searchMany(acme, searches);
    await recorded.searchMany(acme, [searches[1]!, { query: "vacation", mode: "hybrid", topK: 300 }]);
    await recorded.searchMany(acme, [{ query: "vacation", mode: "dense", topK: 80 }]);
    expect(seen).toEqual([
      "100|relaxed_order|200000",
      "1000|relaxed_order|200000",
      "160|relaxed_order|200000",
    ]);
  });

  it("stops before the next search once the signal is aborted, and rejects with its reason", async () => {
    const controller = new AbortController();
    let lexicalRuns = 0;
    const { recorded, log } = await recordedStore((sql) => {
      if (isLexical(sql) && ++lexicalRuns === 1) controller.abort(new Error("stop here"));
    });
    await expect(recorded.searchMany(acme, searches, { signal: controller.signal })).rejects.toThrow(
      "stop here",
    );
    // The first (hybrid) search ran both channels; nothing after it.
    expect(log.statements.slice(1).map((s) => (isDense(s) ? "dense" : isLexical(s) ? "lexical" : s))).toEqual(
      ["dense", "lexical"],
    );

    // Already aborted: no transaction at all.
    log.transactions = 0;
    await expect(
      recorded.searchMany(acme, searches, { signal: AbortSignal.abort(new Error("before")) }),
    ).rejects.toThrow("before");
    expect(log.transactions).toBe(0);
  });

  it("validates every input before it runs any: an invalid one fails the call with its position", async () => {
    const { recorded, log } = await recordedStore();
    const error = await recorded
      .searchMany(acme, [searches[0]!, { query: "   ", mode: "hybrid" }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(log.transactions).toBe(0);
  });
});

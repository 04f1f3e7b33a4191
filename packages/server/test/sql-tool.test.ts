import { randomBytes } from "node:crypto";
import { exampleSalesRows, KnowledgeStore, seedExampleSales } from "@ragkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, get, post, readSse, startWorld, type World } from "./chat/support.js";

/**
 * Issue 17's attack through the approval edit path: a person "edits" the SQL of a pending query_database
 * approval into a 5-way cross join (101 s on PGlite before bounds, blocking every request). It must be refused
 * (or cancelled) within the bound while `/health` and another tenant's search keep answering.
 */
const FIVE_WAY =
  "SELECT count(*) AS n FROM sales_view t0, sales_view t1, sales_view t2, sales_view t3, sales_view t4";
const POSTGRES_URL = process.env.RAGKIT_TEST_POSTGRES;

const targets: Array<{
  name: string;
  open: () => Promise<{ store: KnowledgeStore; drop: () => Promise<void> }>;
}> = [
  {
    name: "pglite",
    open: async () => {
      const store = await KnowledgeStore.open();
      return { store, drop: async () => {} };
    },
  },
  ...(POSTGRES_URL
    ? [
        {
          name: "postgres",
          open: async () => {
            const schema = `sqls_${randomBytes(4).toString("hex")}`;
            const store = await KnowledgeStore.open({ database: POSTGRES_URL, schema });
            return {
              store,
              drop: async () => {
                await store.driver.exec(`DROP SCHEMA ${schema}_data CASCADE; DROP SCHEMA ${schema} CASCADE`);
                for (const role of [`${schema}_app_readonly`, `${schema}_app_worker`, `${schema}_app`]) {
                  await store.driver.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
                }
              },
            };
          },
        },
      ]
    : []),
];

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T; at: number }> {
  const started = performance.now();
  const value = await fn();
  const at = performance.now();
  return { ms: Math.round(at - started), value, at };
}

describe.each(targets)("SQL tool through the approval edit path on $name", ({ name, open }) => {
  let w: World;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const opened = await open();
    drop = opened.drop;
    w = await startWorld({ options: { requireApprovalFor: ["query_database"] } }, opened.store);
    await seedExampleSales(w.store, w.a);
    await seedExampleSales(w.store, w.b, exampleSalesRows({ year: 2024 }));
  });
  afterAll(async () => {
    await w?.close();
    await drop?.();
    await w?.store.close();
  });

  async function pendingQuery(): Promise<string> {
    const res = await post(w.served.url, "/chat/stream", w.tokenA, {
      message: "What is the total revenue by region?",
    });
    expect(res.status).toBe(200);
    const { frames } = await readSse(res);
    const interrupt = frames.find((f: Frame) => f.event === "interrupt");
    expect(JSON.parse(interrupt!.data).interrupt).toMatchObject({ tool: "query_database" });
    return res.headers.get("x-thread-id")!;
  }

  it("refuses the edited 5-way join within the bound while /health and another tenant answer", async () => {
    const threadId = await pendingQuery();
    // Warm, alone: what a search and /health cost without the attack running.
    const alone = await timed(() =>
      post(w.served.url, "/search", w.tokenB, { query: "cafeteria soup", topK: 3 }),
    );
    const healthAlone = await timed(() => fetch(`${w.served.url}/health`));
    const resume = timed(async () => {
      const res = await post(w.served.url, `/threads/${threadId}/resume`, w.tokenA, {
        decision: { type: "edit", args: { sql: FIVE_WAY } },
      });
      return readSse(res);
    });
    const health = timed(() => fetch(`${w.served.url}/health`));
    const search = timed(() => post(w.served.url, "/search", w.tokenB, { query: "cafeteria soup", topK: 3 }));
    const [r, h, s] = await Promise.all([resume, health, search]);

    const last = r.value.frames.at(-1)!;
    expect(last.event).toBe("error");
    const error = JSON.parse(last.data) as { code: string; message: string };
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(
      /Query rejected: The query joins 5 relations in one FROM clause; at most 4/,
    );
    expect(h.value.status).toBe(200);
    expect(s.value.status).toBe(200);
    expect((await s.value.json()).results[0].text).toContain("soup");
    // A hang guard, not a latency assertion (figures are printed below): the unbounded query blocked every
    // request for 101 s; 30 s leaves room for a loaded CI machine and still catches that regression.
    for (const t of [r, h, s]) expect(t.ms).toBeLessThan(30_000);
    console.info(
      `[sql-tool:${name}] edit → refused in ${r.ms} ms; meanwhile /health ${h.ms} ms (alone ${healthAlone.ms} ms), ` +
        `tenant B search ${s.ms} ms (alone ${alone.ms} ms)`,
    );
  });

  it("a plan-level refusal reaches the client too, and the thread stays usable", async () => {
    const threadId = await pendingQuery();
    const sql = `SELECT count(*) FROM sales_view t0 JOIN sales_view t1 ON t0.units + t1.units > -1
                 JOIN sales_view t2 ON t1.units + t2.units > -1 JOIN sales_view t3 ON t2.units + t3.units > -1`;
    const [r, h] = await Promise.all([
      timed(async () =>
        readSse(
          await post(w.served.url, `/threads/${threadId}/resume`, w.tokenA, {
            decision: { type: "edit", args: { sql } },
          }),
        ),
      ),
      timed(() => fetch(`${w.served.url}/health`)),
    ]);
    const last = r.value.frames.at(-1)!;
    expect(last.event).toBe("error");
    expect(JSON.parse(last.data).message).toMatch(
      /^Query refused before running: a step of it can produce [\d,]+ rows/,
    );
    expect(h.value.status).toBe(200);
    console.info(`[sql-tool:${name}] disguised 4-way join refused in ${r.ms} ms; /health ${h.ms} ms`);
    const thread = await get(w.served.url, `/threads/${threadId}`, w.tokenA);
    expect(thread.status).toBe(200);
  });

  it("a catalog read through the edit path is refused with a readable reason", async () => {
    const threadId = await pendingQuery();
    const res = await post(w.served.url, `/threads/${threadId}/resume`, w.tokenA, {
      decision: {
        type: "edit",
        args: {
          sql: 'WITH "PG_ROLES" AS (SELECT 1 AS x) SELECT rolname, rolsuper, rolcanlogin FROM pg_roles',
        },
      },
    });
    const { frames } = await readSse(res);
    const last = frames.at(-1)!;
    expect(last.event).toBe("error");
    expect(JSON.parse(last.data).message).toMatch(
      /Relation pg_roles is not allowed\. System catalogs are not accessible/,
    );
    expect(frames.some((f) => f.data.includes('rolsuper":'))).toBe(false);
  });
});

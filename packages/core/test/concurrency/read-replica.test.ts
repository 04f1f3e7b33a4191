import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findPgvectorScript,
  postgresRequired,
  preparePostgres,
  type StartedPostgres,
  startPostgres,
  startStandby,
  withDatabase,
} from "../../../../scripts/lib/postgres.mjs";
import { TenantCheckpointSaver } from "../../src/agent/checkpointer.js";
import { createRagAgent } from "../../src/agent/graph.js";
import { createPgDriver } from "../../src/db/pg.js";
import { sqlStateOf } from "../../src/db/pglite.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { realPostgres } from "../support/databases.js";
import { paragraphsDoc } from "../support/fixtures.js";

/** A primary and a streaming-replication hot standby need their own servers: root and the shared script. */
const pairReason =
  typeof process.getuid === "function" && process.getuid() !== 0
    ? "building a primary/standby pair needs root"
    : findPgvectorScript().reason;
const runs = realPostgres && (!pairReason || postgresRequired());
if (realPostgres && !runs) console.warn(`[ragkit] read-replica test skipped: ${pairReason}`);

/**
 * Search on a read replica (design note in docs/recipes.md): a store opened on a hot standby serves `search`
 * under row-level security, refuses writes with a clear error, and an agent can search there while its
 * checkpoints go to the primary. Replication is asynchronous: a fresh write is searchable on the standby once
 * it has replayed that far, which is waited for here by LSN, never by time.
 */
describe.skipIf(!runs)("search on a hot standby", () => {
  let primary: StartedPostgres;
  let standby: StartedPostgres;
  let writer: KnowledgeStore;
  let reader: KnowledgeStore;
  const a = createTenantContext({ tenantId: "replica-a", userId: "alice" });
  const b = createTenantContext({ tenantId: "replica-b", userId: "bob" });

  /** Blocks until the standby has replayed everything the primary has written so far (bounded). */
  async function caughtUp() {
    const [primaryAt] = await writer.driver.query<{ lsn: string }>(
      "SELECT pg_current_wal_lsn()::text AS lsn",
    );
    for (let i = 0; i < 400; i++) {
      const [row] = await reader.driver.query<{ ok: boolean }>(
        "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok",
        [primaryAt!.lsn],
      );
      if (row!.ok) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("the standby did not catch up");
  }

  beforeAll(async () => {
    if (pairReason) throw new Error(`RAGKIT_REQUIRE_POSTGRES=1 but ${pairReason}`);
    primary = await startPostgres();
    const info = await preparePostgres(primary.url, "replica");
    const database = `${info.template}_db`;
    const admin = await createPgDriver({ connectionString: primary.url, poolConfig: { max: 1 } });
    await admin.exec(`CREATE DATABASE ${database} TEMPLATE ${info.template}`);
    await admin.close();
    const login = { user: info.runtimeRole, password: info.runtimePassword };
    writer = await KnowledgeStore.open({
      database: withDatabase(primary.url, database, login),
      migrationDatabase: withDatabase(primary.url, database),
      runtimeRole: info.runtimeRole,
    });
    for (const [ctx, text] of [
      [a, "The aurora project budget is five million euros for the first year."],
      [b, "The borealis project budget is nine million euros."],
    ] as const) {
      await writer.ensureTenant(ctx);
      await writer.putDocument(ctx, paragraphsDoc(text));
    }
    // The standby is a copy of the primary (roles, schema, rows); then it follows the primary's WAL.
    standby = await startStandby(primary);
    reader = await KnowledgeStore.open({
      database: withDatabase(standby.url, database, login),
      migrate: false,
    });
  });
  afterAll(async () => {
    await reader?.close();
    await writer?.close();
    await standby?.stop();
    await primary?.stop();
  });

  it("serves search under row-level security, as the runtime login, read-only", async () => {
    const [state] = await reader.driver.query<{ recovery: boolean; user: string }>(
      "SELECT pg_is_in_recovery() AS recovery, session_user AS user",
    );
    expect(state).toMatchObject({ recovery: true });
    const hits = await reader.search(a, { query: "project budget" });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.text.includes("aurora"))).toBe(true);
    expect(
      (await reader.search(b, { query: "project budget" })).every((h) => h.text.includes("borealis")),
    ).toBe(true);
  });

  it("refuses writes with a read-only error (25006), and shows new documents once it has replayed them", async () => {
    const error = await reader
      .putDocument(a, paragraphsDoc("Written to a replica."))
      .catch((e: unknown) => e);
    expect(sqlStateOf(error)).toBe("25006");
    expect((error as Error).message).toMatch(/read-only transaction/);
    await writer.putDocument(a, paragraphsDoc("The aurora timeline ends in March."));
    await caughtUp();
    const hits = await reader.search(a, { query: "aurora timeline", mode: "lexical" });
    expect(hits[0]?.text).toContain("timeline ends in March");
  });

  it("an agent can search on the standby while its checkpoints are written to the primary", async () => {
    const agent = createRagAgent({
      store: {
        search: (ctx, input) => reader.search(ctx, input),
        searchMany: (ctx, inputs, options) => reader.searchMany(ctx, inputs, options),
      },
      checkpointer: new TenantCheckpointSaver(writer),
      requireApprovalFor: [],
    });
    let answer = "";
    for await (const event of agent.stream("What is the aurora budget?", {
      tenant: a,
      threadId: "replica-thread",
    })) {
      if (event.type === "run_finished") answer = event.answer;
    }
    expect(answer).toContain("five million euros");
    // The saver keys threads by tenant ("<tenant>/<thread>").
    const [saved] = await writer.withTenant(a, (tx) =>
      tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM ragkit.agent_checkpoints WHERE thread_id = 'replica-a/replica-thread'",
      ),
    );
    expect(saved!.n).toBeGreaterThan(0);
  });
});

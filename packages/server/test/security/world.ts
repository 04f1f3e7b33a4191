import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createTenantContext,
  exampleSalesRows,
  type KnowledgeStore,
  seedExampleSales,
  type TenantContext,
} from "@ragkit/core";
import { createRagHandler, type RagHandler, type RagHandlerOptions } from "../../src/index.js";
import { readSse } from "../sse.js";
import { testDatabase } from "../store.js";
import { type Served, serve } from "../support.js";
import { TEST_SECRET, tokenFor } from "../tokens.js";

/** Ids of real resources of tenant A, so hostile input reaches the code behind the id check. */
export interface Fixtures {
  documentId: string;
  jobId: string;
  connectorId: string;
  /** A thread with a pending approval (retrieval needs one in this world). */
  threadId: string;
  runId: string;
  checkpointId: string;
  agentId: string;
  /** Valid tokens of tenant A whose user id (`sub`) is not storable text. */
  hostileUserTokens: Record<"nul" | "loneSurrogate", string>;
}

/**
 * A distinctive string per tenant, written into every kind of row the tenant owns (document text, title, source
 * id and metadata, chunk text, thread messages, connector name, sales regions): a response to the other tenant
 * that contains it is a leak.
 */
export const MARKERS = { a: "qxamberkestrel", b: "qxzephyrosprey" } as const;

export interface SecurityWorld {
  store: KnowledgeStore;
  handler: RagHandler;
  served: Served;
  a: TenantContext;
  b: TenantContext;
  tokenA: string;
  tokenB: string;
  /** Tenant A's resources (what the hostile-input corpus aims at). */
  fixtures: Fixtures;
  /** The same kinds of resource in tenant B, for the cross-tenant attacks. */
  fixturesB: Fixtures;
  /** Errors the handler reported through `onError` (every 5xx, and failed background writes). */
  errors: unknown[];
  /** Row counts of every table of the store's schema (as the owner, so across tenants). */
  rowCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const CONNECTOR_KEY = Buffer.alloc(32, 9).toString("base64");

/**
 * The real handler over a real HTTP server on 127.0.0.1: an in-process store with two tenants, the agent
 * (offline models, every retrieval waits for an approval), connectors and uploads enabled, and one resource of
 * each kind in tenant A. Shared by the hostile-input regression test and the attack suite built on it.
 */
export async function startSecurityWorld(overrides: Partial<RagHandlerOptions> = {}): Promise<SecurityWorld> {
  process.env.RAGKIT_CONNECTOR_KEY ??= CONNECTOR_KEY;
  const dir = mkdtempSync(join(tmpdir(), "ragkit-security-"));
  // The database kind of the vitest project (PGlite, or a database of its own on the real Postgres server).
  const database = await testDatabase();
  const store = await database.open();
  const a = createTenantContext({ tenantId: "tenant-a", userId: "seed", source: "system" });
  const b = createTenantContext({ tenantId: "tenant-b", userId: "seed", source: "system" });
  await store.ensureTenant(a);
  await store.ensureTenant(b);
  const errors: unknown[] = [];
  const handler = createRagHandler({
    store,
    auth: { jwtSecret: TEST_SECRET },
    connectors: { kinds: ["urls", "dir", "s3"], dirRoots: [dir], egress: { allow: ["127.0.0.1"] } },
    agent: {
      heartbeatMs: 1000,
      pollIntervalMs: 50,
      flushIntervalMs: 10,
      options: { requireApprovalFor: ["retrieve", "query_database"] },
    },
    onError: (error) => errors.push(error),
    ...overrides,
  });
  const served = await serve(handler);
  const tokenA = await tokenFor("tenant-a", "alice");
  const tokenB = await tokenFor("tenant-b", "bob");
  const fixtures = await createFixtures(served.url, tokenA, handler.basePath, {
    topic: "aurora",
    marker: MARKERS.a,
  });
  const fixturesB = await createFixtures(served.url, tokenB, handler.basePath, {
    topic: "zephyr",
    marker: MARKERS.b,
  });
  // The SQL tool's data: B's regions carry B's marker, so a query of A's that reads B's rows shows it.
  await seedExampleSales(store, a);
  await seedExampleSales(store, b, exampleSalesRows({ year: 2024, regions: [`${MARKERS.b}north`, "South"] }));
  const rowCounts = async () => {
    const tables = await store.driver.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'
       ORDER BY table_name`,
      [store.schema],
    );
    const counts: Record<string, number> = {};
    for (const { table_name } of tables) {
      const [row] = await store.driver.query<{ n: string | number }>(
        `SELECT count(*)::text AS n FROM ${store.schema}."${table_name.replace(/"/g, '""')}"`,
      );
      counts[table_name] = Number(row?.n ?? 0);
    }
    return counts;
  };
  return {
    store,
    handler,
    served,
    a,
    b,
    tokenA,
    tokenB,
    fixtures,
    fixturesB,
    errors,
    rowCounts,
    async close() {
      await served.close();
      await handler.close();
      await store.close();
      await database.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createFixtures(
  base: string,
  token: string,
  basePath: string,
  { topic, marker }: { topic: string; marker: string },
): Promise<Fixtures> {
  const url = (path: string) => `${base}${basePath}${path}`;
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url(path), {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw new Error(`fixture ${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const upload = (await (
    await send("POST", "/documents", {
      title: `${topic[0]!.toUpperCase()}${topic.slice(1)} budget ${marker}`,
      text: `The ${topic} project budget is five million euros for the first year (code ${marker}).`,
      sourceId: `fixtures/${topic}-${marker}`,
      metadata: { code: marker },
    })
  ).json()) as { jobs: Array<{ jobId: string }> };
  const jobId = upload.jobs[0]!.jobId;
  // The job's event stream ends when the job does.
  await readSse(await send("GET", `/jobs/${jobId}/events`));
  const job = (await (await send("GET", `/jobs/${jobId}`)).json()) as { job: { documentId: string } };
  const chat = await send("POST", "/chat/stream", { message: `What is the ${topic} budget (${marker})?` });
  const threadId = chat.headers.get("x-thread-id")!;
  const runId = chat.headers.get("x-run-id")!;
  await readSse(chat);
  const checkpoints = (await (await send("GET", `/threads/${threadId}/checkpoints`)).json()) as {
    checkpoints: Array<{ checkpointId: string }>;
  };
  const connector = (await (
    await send("POST", "/connectors", {
      kind: "urls",
      name: `Handbook ${marker}`,
      config: { urls: ["http://127.0.0.1:9/handbook.html"] },
    })
  ).json()) as { connector: { id: string } };
  const info = (await (await fetch(url("/copilotkit/info"))).json()) as { agents: Record<string, unknown> };
  return {
    documentId: job.job.documentId,
    jobId,
    connectorId: connector.connector.id,
    threadId,
    runId,
    checkpointId: checkpoints.checkpoints.at(-1)!.checkpointId,
    agentId: Object.keys(info.agents)[0]!,
    hostileUserTokens: {
      nul: await tokenFor("tenant-a", "alice\u0000admin"),
      loneSurrogate: await tokenFor("tenant-a", "alice\uD800"),
    },
  };
}

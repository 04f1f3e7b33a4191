import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTenantContext, KnowledgeStore, type TenantContext } from "@ragkit/core";
import { createRagHandler, type RagHandler, type RagHandlerOptions } from "../../src/index.js";
import { readSse } from "../sse.js";
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

export interface SecurityWorld {
  store: KnowledgeStore;
  handler: RagHandler;
  served: Served;
  a: TenantContext;
  b: TenantContext;
  tokenA: string;
  tokenB: string;
  fixtures: Fixtures;
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
  // RAGKIT_TEST_POSTGRES: the same walk against a real Postgres server (a fresh schema per world).
  const postgres = process.env.RAGKIT_TEST_POSTGRES;
  const store = await KnowledgeStore.open(
    postgres ? { database: postgres, schema: `security_${crypto.randomUUID().slice(0, 8)}` } : {},
  );
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
      options: { requireApprovalFor: ["retrieve"] },
    },
    onError: (error) => errors.push(error),
    ...overrides,
  });
  const served = await serve(handler);
  const tokenA = await tokenFor("tenant-a", "alice");
  const tokenB = await tokenFor("tenant-b", "bob");
  const fixtures = await createFixtures(served.url, tokenA, handler.basePath);
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
    errors,
    rowCounts,
    async close() {
      await served.close();
      await handler.close();
      if (postgres) await store.driver.exec(`DROP SCHEMA ${store.schema} CASCADE`);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createFixtures(base: string, token: string, basePath: string): Promise<Fixtures> {
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
      title: "Aurora budget",
      text: "The aurora project budget is five million euros for the first year.",
      sourceId: "fixtures/aurora",
    })
  ).json()) as { jobs: Array<{ jobId: string }> };
  const jobId = upload.jobs[0]!.jobId;
  // The job's event stream ends when the job does.
  await readSse(await send("GET", `/jobs/${jobId}/events`));
  const job = (await (await send("GET", `/jobs/${jobId}`)).json()) as { job: { documentId: string } };
  const chat = await send("POST", "/chat/stream", { message: "What is the aurora budget?" });
  const threadId = chat.headers.get("x-thread-id")!;
  const runId = chat.headers.get("x-run-id")!;
  await readSse(chat);
  const checkpoints = (await (await send("GET", `/threads/${threadId}/checkpoints`)).json()) as {
    checkpoints: Array<{ checkpointId: string }>;
  };
  const connector = (await (
    await send("POST", "/connectors", {
      kind: "urls",
      name: "Handbook",
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

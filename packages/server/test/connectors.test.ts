import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTenantContext, KnowledgeStore } from "@ragkit/core";
import {
  auditListResponseSchema,
  connectorListResponseSchema,
  connectorResponseSchema,
  errorBodySchema,
  syncEventSchema,
  syncResponseSchema,
} from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRagHandler, type RagHandler } from "../src/index.js";
import { readSse } from "./sse.js";
import { type Served, serve } from "./support.js";
import { call, TEST_SECRET, tokenFor } from "./tokens.js";

const KEY = Buffer.alloc(32, 7).toString("base64");
let store: KnowledgeStore;
let handler: RagHandler;
let served: Served;
let site: Server;
let siteUrl: string;
let dir: string;
let tokenA: string;
let tokenB: string;
const pages: Record<string, string> = {
  "/handbook.html":
    "<html><body><main><h1>Parking</h1><p>Visitors park in lot C behind the anvil foundry.</p></main></body></html>",
};

async function sseEvents(res: Response) {
  const { frames } = await readSse(res);
  return frames.map((f) => syncEventSchema.parse(JSON.parse(f.data))) as Array<{
    type: string;
    [k: string]: unknown;
  }>;
}

const waitForJobs = async (ids: readonly string[]) => {
  for (const id of ids) await (await call(served.url, `/jobs/${id}/events`, { token: tokenA })).text();
};

beforeAll(async () => {
  process.env.RAGKIT_CONNECTOR_KEY = KEY;
  site = createServer((req, res) => {
    const body = pages[req.url ?? ""];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html", etag: `"${body.length}"` }).end(body);
  });
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "ragkit-conn-"));
  writeFileSync(join(dir, "menu.md"), "# Menu\n\nThe canteen serves lentil soup on Fridays.\n");
  store = await KnowledgeStore.open();
  for (const t of ["tenant-a", "tenant-b"]) await store.ensureTenant(createTenantContext({ tenantId: t }));
  handler = createRagHandler({
    store,
    auth: { jwtSecret: TEST_SECRET },
    connectors: { kinds: ["urls", "dir", "s3"], dirRoots: [dir], allowPrivateNetworks: true },
  });
  served = await serve(handler);
  tokenA = await tokenFor("tenant-a", "alice");
  tokenB = await tokenFor("tenant-b", "bob");
});

afterAll(async () => {
  await served?.close();
  await handler?.close();
  await store?.close();
  site?.closeAllConnections();
  site?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("connectors API", () => {
  let urlsId: string;

  it("creates a URL-list connector without ever returning its credentials", async () => {
    const res = await call(served.url, "/connectors", {
      method: "POST",
      token: tokenA,
      body: JSON.stringify({
        kind: "urls",
        name: "Intranet",
        config: { urls: [`${siteUrl}/handbook.html`] },
        credentials: { headers: { Authorization: "Bearer intranet-secret-token" } },
      }),
    });
    expect(res.status).toBe(201);
    const raw = await res.text();
    expect(raw).not.toContain("intranet-secret-token");
    const { connector } = connectorResponseSchema.parse(JSON.parse(raw));
    expect(connector).toMatchObject({ kind: "urls", name: "Intranet", hasCredentials: true });
    urlsId = connector.id;
    const listed = await (await call(served.url, "/connectors", { token: tokenA })).text();
    expect(listed).not.toContain("intranet-secret-token");
    expect(connectorListResponseSchema.parse(JSON.parse(listed)).connectors.map((c) => c.id)).toEqual([
      urlsId,
    ]);
  });

  it("syncs (JSON): returns the job ids; the content becomes searchable; a re-sync changes nothing", async () => {
    const res = await call(served.url, `/connectors/${urlsId}/sync`, { method: "POST", token: tokenA });
    expect(res.status).toBe(200);
    const { summary } = syncResponseSchema.parse(await res.json());
    expect(summary).toMatchObject({ status: "succeeded", created: 1, failed: 0 });
    expect(summary.jobIds).toHaveLength(1);
    await waitForJobs(summary.jobIds);
    const search = await call(served.url, "/search", {
      method: "POST",
      token: tokenA,
      body: JSON.stringify({ query: "visitors parking lot" }),
    });
    const { results } = (await search.json()) as { results: Array<{ text: string }> };
    expect(results[0]?.text).toContain("lot C");
    const again = syncResponseSchema.parse(
      await (await call(served.url, `/connectors/${urlsId}/sync`, { method: "POST", token: tokenA })).json(),
    );
    expect(again.summary).toMatchObject({ unchanged: 1, created: 0, jobIds: [] });
  });

  it("syncs a directory connector inside the allowed roots, streaming progress as SSE", async () => {
    const created = await call(served.url, "/connectors", {
      method: "POST",
      token: tokenA,
      body: JSON.stringify({ kind: "dir", name: "Share", config: { root: dir } }),
    });
    const { connector } = connectorResponseSchema.parse(await created.json());
    const res = await call(served.url, `/connectors/${connector.id}/sync`, {
      method: "POST",
      token: tokenA,
      headers: { accept: "text/event-stream" },
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await sseEvents(res);
    expect(events[0]?.type).toBe("started");
    expect(events.some((e) => e.type === "object" && e.action === "created")).toBe(true);
    const last = events.at(-1)!;
    expect(last.type).toBe("finished");
    await waitForJobs((last.summary as { jobIds: string[] }).jobIds);
  });

  it("is tenant-scoped: tenant B gets 404 for A's connector on every route, and an empty list", async () => {
    for (const [method, path, body] of [
      ["GET", `/connectors/${urlsId}`, undefined],
      ["PATCH", `/connectors/${urlsId}`, JSON.stringify({ name: "mine now" })],
      ["POST", `/connectors/${urlsId}/sync`, undefined],
      ["DELETE", `/connectors/${urlsId}`, undefined],
    ] as const) {
      const res = await call(served.url, path, { method, token: tokenB, ...(body ? { body } : {}) });
      expect([path, method, res.status]).toEqual([path, method, 404]);
    }
    expect(
      connectorListResponseSchema.parse(
        await (await call(served.url, "/connectors", { token: tokenB })).json(),
      ).connectors,
    ).toEqual([]);
  });

  it("updates and deletes, and audits every connector action", async () => {
    const patched = await call(served.url, `/connectors/${urlsId}`, {
      method: "PATCH",
      token: tokenA,
      body: JSON.stringify({ name: "Intranet (HR)" }),
    });
    expect(connectorResponseSchema.parse(await patched.json()).connector.name).toBe("Intranet (HR)");
    expect(
      (
        await call(served.url, `/connectors/${urlsId}?deleteDocuments=true`, {
          method: "DELETE",
          token: tokenA,
        })
      ).status,
    ).toBe(204);
    expect((await call(served.url, `/connectors/${urlsId}`, { token: tokenA })).status).toBe(404);
    const { records } = auditListResponseSchema.parse(
      await (await call(served.url, "/audit?limit=200", { token: tokenA })).json(),
    );
    const actions = records.map((r) => r.action);
    for (const a of ["connector.create", "connector.sync", "connector.update", "connector.delete"])
      expect(actions).toContain(a);
  });

  it("refuses bad input with field details, and a source failure as 502 without secrets", async () => {
    const bad = await call(served.url, "/connectors", {
      method: "POST",
      token: tokenA,
      body: JSON.stringify({ kind: "urls", name: "x", config: { urls: ["ftp://example.com/a"] } }),
    });
    expect(bad.status).toBe(400);
    expect(errorBodySchema.parse(await bad.json()).error.details?.[0]?.path).toMatch(/urls/);
    const s3 = await call(served.url, "/connectors", {
      method: "POST",
      token: tokenA,
      body: JSON.stringify({
        kind: "s3",
        name: "nowhere",
        config: {
          bucket: "missing-bucket",
          endpoint: "http://127.0.0.1:9",
          forcePathStyle: true,
          maxAttempts: 1,
        },
        credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "super-secret-access-key" },
      }),
    });
    const { connector } = connectorResponseSchema.parse(await s3.json());
    const sync = await call(served.url, `/connectors/${connector.id}/sync`, {
      method: "POST",
      token: tokenA,
    });
    const text = await sync.text();
    expect(sync.status).toBe(502);
    expect(errorBodySchema.parse(JSON.parse(text)).error.code).toBe("upstream_error");
    expect(text).not.toContain("super-secret-access-key");
  });
});

describe("connector policy (a connector runs with the server's access)", () => {
  let strict: RagHandler;
  let strictServed: Served;
  beforeAll(async () => {
    strict = createRagHandler({ store, auth: { jwtSecret: TEST_SECRET } });
    strictServed = await serve(strict);
  });
  afterAll(async () => {
    await strictServed?.close();
    await strict?.close();
  });

  const create = (body: unknown) =>
    call(strictServed.url, "/connectors", { method: "POST", token: tokenA, body: JSON.stringify(body) });

  it.each([
    ["a directory connector (off by default)", { kind: "dir", name: "d", config: { root: "/etc" } }, "kind"],
    [
      "a loopback URL",
      { kind: "urls", name: "u", config: { urls: ["http://127.0.0.1:8080/admin"] } },
      "config.urls.0",
    ],
    [
      "a cloud metadata address",
      { kind: "urls", name: "u", config: { urls: ["http://169.254.169.254/latest"] } },
      "config.urls.0",
    ],
    [
      "a private S3 endpoint",
      {
        kind: "s3",
        name: "s",
        config: { bucket: "b-1", endpoint: "http://10.0.0.5:9000" },
        credentials: { accessKeyId: "a", secretAccessKey: "b" },
      },
      "config.endpoint",
    ],
  ])("refuses %s with 400", async (_, body, path) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(errorBodySchema.parse(await res.json()).error.details?.[0]?.path).toBe(path);
  });
});

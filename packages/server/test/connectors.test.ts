import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTenantContext, type KnowledgeStore } from "@ragkit/core";
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
import { openTestStore } from "./store.js";
import { type Served, serve } from "./support.js";
import { call, TEST_SECRET, tokenFor } from "./tokens.js";

const KEY = Buffer.alloc(32, 7).toString("base64");

/** Tests never query DNS; "public" names are answered here (and are never connected to). */
const names: Record<string, string> = { "docs.example.com": "127.0.0.1", "s3.example.com": "127.0.0.1" };
const noDns = async (name: string) => {
  const address = names[name];
  if (!address) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return [{ address, family: 4 }];
};
let store: KnowledgeStore;
let handler: RagHandler;
let served: Served;
let site: Server;
let siteUrl: string;
let siteConnections = 0;
/** Loopback but not allow-listed (the handlers allow 127.0.0.1 only): must never see a connection. */
let internal: Server;
let internalUrl: string;
let internalConnections = 0;
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
  internal = createServer((_req, res) => res.end("internal admin page"));
  internal.on("connection", () => internalConnections++);
  await new Promise<void>((r) => internal.listen(0, "127.0.0.2", r));
  internalUrl = `http://127.0.0.2:${(internal.address() as AddressInfo).port}`;
  site = createServer((req, res) => {
    if (req.url === "/moved") return res.writeHead(302, { location: `${internalUrl}/admin` }).end();
    const body = pages[req.url ?? ""];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html", etag: `"${body.length}"` }).end(body);
  });
  site.on("connection", () => siteConnections++);
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "ragkit-conn-"));
  writeFileSync(join(dir, "menu.md"), "# Menu\n\nThe canteen serves lentil soup on Fridays.\n");
  store = await openTestStore();
  for (const t of ["tenant-a", "tenant-b"]) await store.ensureTenant(createTenantContext({ tenantId: t }));
  handler = createRagHandler({
    store,
    auth: { jwtSecret: TEST_SECRET },
    // The local test servers listen on 127.0.0.1: allowed explicitly, as a host allows a private MinIO.
    connectors: {
      kinds: ["urls", "dir", "s3", "sharepoint"],
      dirRoots: [dir],
      egress: { allow: ["127.0.0.1"], resolve: noDns },
    },
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
  internal?.closeAllConnections();
  internal?.close();
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
    // The default policy (public addresses only); only the resolver is injected (no DNS in tests).
    strict = createRagHandler({
      store,
      auth: { jwtSecret: TEST_SECRET },
      connectors: { egress: { resolve: noDns } },
    });
    strictServed = await serve(strict);
  });
  afterAll(async () => {
    await strictServed?.close();
    await strict?.close();
  });

  const create = (body: unknown, url = strictServed.url) =>
    call(url, "/connectors", { method: "POST", token: tokenA, body: JSON.stringify(body) });
  const urls = (url: string) => ({ kind: "urls", name: "u", config: { urls: [url] } });
  const s3 = (endpoint: string) => ({
    kind: "s3",
    name: "s",
    config: { bucket: "b-1", endpoint, forcePathStyle: true, maxAttempts: 1 },
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
  });
  const sharepoint = (config: Record<string, unknown>) => ({
    kind: "sharepoint",
    name: "sp",
    config: { tenantId: "contoso", clientId: "c", driveId: "b!x", retries: 0, ...config },
    credentials: { clientSecret: "s" },
  });

  it("refuses a directory connector (off by default) with 400", async () => {
    const res = await create({ kind: "dir", name: "d", config: { root: "/etc" } });
    expect(res.status).toBe(400);
    expect(errorBodySchema.parse(await res.json()).error.details?.[0]?.path).toBe("kind");
  });

  it.each([
    ["localhost.", urls("http://localhost./"), "urls.0", /loopback/],
    ["localhost%2e", urls("http://localhost%2e/"), "urls.0", /loopback/],
    ["[::127.0.0.1]", urls("http://[::127.0.0.1]/"), "urls.0", /IPv4-compatible/],
    ["NAT64 of 169.254.169.254", urls("http://[64:ff9b::a9fe:a9fe]/"), "urls.0", /NAT64/],
    ["198.18/15", urls("http://198.18.0.1/"), "urls.0", /reserved/],
    ["224/4", urls("http://224.0.0.1/"), "urls.0", /multicast/],
    ["255.255.255.255", urls("http://255.255.255.255/"), "urls.0", /broadcast/],
    ["2001:db8::/32", urls("http://[2001:db8::1]/"), "urls.0", /reserved/],
    ["a loopback URL", urls("http://127.0.0.1:8080/admin"), "urls.0", /loopback/],
    ["a hex loopback", urls("http://0x7f.1/"), "urls.0", /loopback/],
    ["the metadata address", urls("http://169.254.169.254/latest"), "urls.0", /link-local/],
    ["a name resolving to loopback", urls("https://docs.example.com/"), "urls.0", /resolves to a loopback/],
    ["a private S3 endpoint", s3("http://10.0.0.5:9000"), "endpoint", /private/],
    ["a mapped metadata S3 endpoint", s3("http://[::ffff:169.254.169.254]"), "endpoint", /IPv4-mapped/],
    [
      "an S3 endpoint resolving to loopback",
      s3("http://s3.example.com"),
      "endpoint",
      /resolves to a loopback/,
    ],
    [
      "a loopback graphBaseUrl",
      sharepoint({ graphBaseUrl: "http://localhost./v1.0" }),
      "graphBaseUrl",
      /loopback/,
    ],
    [
      "a metadata authorityUrl",
      sharepoint({ authorityUrl: "http://169.254.169.254" }),
      "authorityUrl",
      /link-local/,
    ],
  ])("refuses %s with 400 naming the field", async (_, body, path, message) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    const { error } = errorBodySchema.parse(await res.json());
    expect(error.code).toBe("invalid_input");
    expect(error.details?.[0]?.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  it.each([
    [
      "a URL list",
      urls("https://public.example.org/page"),
      { urls: ["http://[::ffff:127.0.0.1]/"] },
      "urls.0",
      /IPv4-mapped/,
    ],
    [
      "an S3 endpoint",
      s3("https://s3.public.example.org"),
      { bucket: "b-1", endpoint: "http://[::1]:9000" },
      "endpoint",
      /loopback/,
    ],
    [
      "a SharePoint authorityUrl",
      sharepoint({}),
      { tenantId: "contoso", clientId: "c", driveId: "b!x", authorityUrl: "http://localhost%2e/" },
      "authorityUrl",
      /loopback/,
    ],
  ])(
    "refuses an update of %s to a refused endpoint with 400 and keeps the stored configuration",
    async (_, body, config, path, message) => {
      const created = await create(body);
      expect(created.status).toBe(201);
      const { connector } = connectorResponseSchema.parse(await created.json());
      const patched = await call(strictServed.url, `/connectors/${connector.id}`, {
        method: "PATCH",
        token: tokenA,
        body: JSON.stringify({ config }),
      });
      expect(patched.status).toBe(400);
      const { error } = errorBodySchema.parse(await patched.json());
      expect(error.details?.[0]?.path).toBe(path);
      expect(error.message).toMatch(message);
      const stored = connectorResponseSchema.parse(
        await (await call(strictServed.url, `/connectors/${connector.id}`, { token: tokenA })).json(),
      );
      expect(stored.connector.config).toEqual(connector.config);
    },
  );

  it("refuses at sync what another policy stored: URL lists per object, S3 and SharePoint with 400", async () => {
    const before = siteConnections;
    const page = connectorResponseSchema.parse(
      await (await create(urls(`${siteUrl}/handbook.html`), served.url)).json(),
    ).connector;
    const pageSync = await call(strictServed.url, `/connectors/${page.id}/sync`, {
      method: "POST",
      token: tokenA,
    });
    expect(pageSync.status).toBe(200);
    expect(syncResponseSchema.parse(await pageSync.json()).summary).toMatchObject({ failed: 1, created: 0 });
    for (const body of [
      s3(`${siteUrl}`),
      sharepoint({ graphBaseUrl: `${siteUrl}/v1.0`, authorityUrl: siteUrl }),
    ]) {
      const created = await create(body, served.url);
      expect(created.status).toBe(201);
      const { connector } = connectorResponseSchema.parse(await created.json());
      const res = await call(strictServed.url, `/connectors/${connector.id}/sync`, {
        method: "POST",
        token: tokenA,
      });
      expect(res.status).toBe(400);
      expect(errorBodySchema.parse(await res.json()).error.message).toMatch(
        /^Refused to connect to 127\.0\.0\.1: it is a loopback address/,
      );
    }
    expect(siteConnections).toBe(before);
  });

  it("refuses a redirect hop from an allowed server to a refused address during a sync", async () => {
    const { connector } = connectorResponseSchema.parse(
      await (await create(urls(`${siteUrl}/moved`), served.url)).json(),
    );
    const res = await call(served.url, `/connectors/${connector.id}/sync`, {
      method: "POST",
      token: tokenA,
      headers: { accept: "text/event-stream" },
    });
    const failed = (await sseEvents(res)).filter((e) => e.type === "object_failed");
    expect(failed).toEqual([
      expect.objectContaining({
        code: "egress_refused",
        message: expect.stringMatching(/127\.0\.0\.2.*loopback/),
      }),
    ]);
    expect(internalConnections).toBe(0);
  });
});

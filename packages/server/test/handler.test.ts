import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTenantContext, type KnowledgeStore, type TenantContext } from "@ragkit/core";
import {
  type DocumentListResponse,
  type DocumentResponse,
  type ErrorBody,
  errorBodySchema,
  type SearchResponse,
  searchResponseSchema,
} from "@ragkit/protocol";
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRagHandler, type RagHandler } from "../src/index.js";
import { openTestStore } from "./store.js";
import { type Served, serve } from "./support.js";

const SECRET = "a-test-secret-that-is-definitely-32-bytes-or-more";
const ISSUER = "https://auth.ragkit.test";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let store: KnowledgeStore;
let ctxA: TenantContext;
let ctxB: TenantContext;
const docsA: string[] = [];
const docsB: string[] = [];
let main: Served;
let mainHandler: RagHandler;
const onError = vi.fn();

interface MintOptions {
  alg?: string;
  key?: Uint8Array | CryptoKey;
  aud?: string | null;
  iss?: string | null;
  exp?: number | null;
  nbf?: number;
  sub?: string;
  kid?: string;
}

const now = () => Math.floor(Date.now() / 1000);

async function mint(claims: JWTPayload = { tenant_id: "tenant-a" }, o: MintOptions = {}): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: o.alg ?? "HS256", typ: "JWT", ...(o.kid ? { kid: o.kid } : {}) })
    .setIssuedAt()
    .setSubject(o.sub ?? "user-1");
  if (o.aud !== null) jwt.setAudience(o.aud ?? "authenticated");
  if (o.iss !== null) jwt.setIssuer(o.iss ?? ISSUER);
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? now() + 300);
  if (o.nbf !== undefined) jwt.setNotBefore(o.nbf);
  return jwt.sign(o.key ?? new TextEncoder().encode(SECRET));
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function call(base: string, path: string, init: RequestInit & { token?: string } = {}) {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (typeof rest.body === "string" && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  return fetch(`${base}${path}`, { ...rest, headers });
}

async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  const body = errorBodySchema.parse(await res.json());
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.headers.get("x-request-id")).toBe(body.error.requestId);
  return body.error;
}

function paragraphs(title: string, sections: Array<[string, string]>) {
  let text = "";
  const chunks = sections.map(([sectionTitle, body], i) => {
    const start = text.length;
    text += `${body}\n\n`;
    return { text: body, start, end: start + body.length, pageNumber: i + 1, sectionTitle };
  });
  return { title, text, chunks, source: "upload" as const };
}

beforeAll(async () => {
  store = await openTestStore();
  ctxA = createTenantContext({ tenantId: "tenant-a", userId: "seed", source: "system" });
  ctxB = createTenantContext({ tenantId: "tenant-b", userId: "seed", source: "system" });
  await store.ensureTenant(ctxA);
  await store.ensureTenant(ctxB);
  for (const [i, doc] of [
    paragraphs("Aurora budget", [
      ["Overview", "The aurora project budget is five million euros for the first year."],
      ["Risks", "Currency risk affects the aurora budget forecast."],
    ]),
    paragraphs("Leave policy", [["Leave", "Employees get twenty five days of paid leave."]]),
    paragraphs("Security handbook", [["Passwords", "Passwords must be rotated every ninety days."]]),
  ].entries()) {
    docsA[i] = (await store.putDocument(ctxA, doc)).document.id;
  }
  for (const [i, doc] of [
    paragraphs("Aurora launch", [["Timeline", "The aurora project launches in spring with a small pilot."]]),
    paragraphs("Cafeteria", [["Menu", "The cafeteria serves soup on Mondays."]]),
  ].entries()) {
    docsB[i] = (await store.putDocument(ctxB, doc)).document.id;
  }
  mainHandler = createRagHandler({ store, auth: { jwtSecret: SECRET, issuer: ISSUER }, onError });
  main = await serve(mainHandler);
});

afterAll(async () => {
  await main?.close();
  await store?.close();
});

describe("health and readiness", () => {
  it("GET /health answers without auth", async () => {
    const res = await call(main.url, "/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(UUID);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("GET /ready queries the database", async () => {
    const spy = vi.spyOn(store.driver, "query");
    const res = await call(main.url, "/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
    expect(spy).toHaveBeenCalledWith("SELECT 1 AS ok");
    spy.mockRestore();
  });

  it("GET /ready answers 503 when the database is unreachable, and reports the error", async () => {
    const errors = vi.fn();
    const handler = createRagHandler({
      database: "postgres://ragkit:ragkit@127.0.0.1:1/ragkit",
      auth: { jwtSecret: SECRET },
      onError: errors,
    });
    const res = await handler(new Request("http://local/ready"));
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe("service_unavailable");
    expect(errors).toHaveBeenCalledTimes(1);
    await handler.close();
  });
});

describe("tenant isolation", () => {
  it("lists only the caller's documents", async () => {
    const a = (await (
      await call(main.url, "/documents", { token: await mint() })
    ).json()) as DocumentListResponse;
    const b = (await (
      await call(main.url, "/documents", { token: await mint({ tenant_id: "tenant-b" }) })
    ).json()) as DocumentListResponse;
    expect(a.documents.map((d) => d.id).sort()).toEqual([...docsA].sort());
    expect(b.documents.map((d) => d.id).sort()).toEqual([...docsB].sort());
    expect(a.documents[0]).not.toHaveProperty("tenantId");
    expect(a.documents[0]).not.toHaveProperty("text");
  });

  it("returns the same 404 for another tenant's, a missing and a malformed document id", async () => {
    const tokenB = await mint({ tenant_id: "tenant-b" });
    const own = await call(main.url, `/documents/${docsB[0]}`, { token: tokenB });
    expect(own.status).toBe(200);
    expect(((await own.json()) as DocumentResponse).document.id).toBe(docsB[0]);

    const bodies: unknown[] = [];
    for (const id of [
      docsA[0],
      "00000000-0000-4000-8000-000000000000",
      "not-a-uuid",
      "x".repeat(300),
      "%E0%A4%A",
      "a%2Fb",
    ]) {
      const res = await call(main.url, `/documents/${id}`, { token: tokenB });
      expect(res.status, id).toBe(404);
      const { requestId: _, ...rest } = await errorOf(res);
      bodies.push(rest);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(bodies[0]).toEqual({ code: "not_found", message: "Document not found." });
  });

  it("search never mixes tenants", async () => {
    for (const [tenant, own] of [
      ["tenant-a", docsA],
      ["tenant-b", docsB],
    ] as const) {
      for (const mode of ["hybrid", "lexical", "dense"] as const) {
        const res = await call(main.url, "/search", {
          method: "POST",
          token: await mint({ tenant_id: tenant }),
          body: JSON.stringify({ query: "aurora project", mode, topK: 20 }),
        });
        expect(res.status).toBe(200);
        const { results } = searchResponseSchema.parse(await res.json());
        expect(results.length).toBeGreaterThan(0);
        for (const r of results) expect(own).toContain(r.documentId);
      }
    }
  });

  it("ignores tenant ids in the body, query string and headers", async () => {
    const tokenB = await mint({ tenant_id: "tenant-b" });
    const spoof = { "x-tenant-id": "tenant-a", "x-ragkit-tenant": "tenant-a", tenant_id: "tenant-a" };
    const list = (await (
      await call(main.url, "/documents?tenant_id=tenant-a&tenantId=tenant-a", {
        token: tokenB,
        headers: spoof,
      })
    ).json()) as DocumentListResponse;
    expect(list.documents.map((d) => d.id).sort()).toEqual([...docsB].sort());

    const res = await call(main.url, "/search?tenant_id=tenant-a", {
      method: "POST",
      token: tokenB,
      headers: spoof,
      body: JSON.stringify({ query: "aurora budget currency", tenantId: "tenant-a", tenant_id: "tenant-a" }),
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as SearchResponse;
    for (const r of results) expect(docsB).toContain(r.documentId);

    const get = await call(main.url, `/documents/${docsA[0]}?tenant_id=tenant-a`, {
      token: tokenB,
      headers: spoof,
    });
    expect(get.status).toBe(404);
  });
});

describe("search", () => {
  it("returns results with citation fields and writes an audit row", async () => {
    const res = await call(main.url, "/search", {
      method: "POST",
      token: await mint({ tenant_id: "tenant-a" }, { sub: "alice" }),
      headers: { "x-request-id": "search-audit-1" },
      body: JSON.stringify({ query: "aurora budget", mode: "lexical", topK: 5 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("search-audit-1");
    const { results } = searchResponseSchema.parse(await res.json());
    const top = results[0]!;
    expect(top.documentId).toBe(docsA[0]);
    expect(top.documentTitle).toBe("Aurora budget");
    expect(top.pageNumber).toBeGreaterThanOrEqual(1);
    expect(top.sectionTitle).toMatch(/Overview|Risks/);
    expect(top.end).toBeGreaterThan(top.start);
    expect(top.scores.lexical?.rank).toBe(1);

    const audit = await store.audit.list(ctxA);
    const row = audit.find((r) => r.requestId === "search-audit-1");
    expect(row).toMatchObject({ action: "search", userId: "alice", outcome: "success" });
    expect(row?.details).toMatchObject({ mode: "lexical", topK: 5, resultCount: results.length });
    expect(JSON.stringify(row?.details)).not.toContain("aurora");
    expect(await store.audit.list(ctxB)).not.toContainEqual(
      expect.objectContaining({ requestId: "search-audit-1" }),
    );
  });

  it("applies filters and documentIds", async () => {
    const res = await call(main.url, "/search", {
      method: "POST",
      token: await mint(),
      body: JSON.stringify({ query: "aurora budget leave", mode: "lexical", documentIds: [docsA[1]] }),
    });
    const { results } = (await res.json()) as SearchResponse;
    expect(results.map((r) => r.documentId)).toEqual([docsA[1]]);
  });
});

describe("documents", () => {
  it("paginates with a cursor", async () => {
    const token = await mint();
    const first = (await (
      await call(main.url, "/documents?limit=2", { token })
    ).json()) as DocumentListResponse;
    expect(first.documents).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await (
      await call(main.url, `/documents?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`, { token })
    ).json()) as DocumentListResponse;
    expect(second.documents).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.documents, ...second.documents].map((d) => d.id);
    expect(all.sort()).toEqual([...docsA].sort());
    expect(first.documents[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("filters by status", async () => {
    const res = await call(main.url, "/documents?status=failed", { token: await mint() });
    expect(((await res.json()) as DocumentListResponse).documents).toEqual([]);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=abc", "limit"],
    ["limit=1000", "limit"],
    ["status=archived", "status"],
    ["cursor=garbage", "cursor"],
  ])("rejects ?%s with field details", async (query, path) => {
    const res = await call(main.url, `/documents?${query}`, { token: await mint() });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_input");
    expect(error.details?.map((d) => d.path)).toEqual([path]);
  });
});

describe("JWT verification", () => {
  let rsaKeys: Awaited<ReturnType<typeof generateKeyPair>>;
  beforeAll(async () => {
    rsaKeys = await generateKeyPair("RS256");
  });

  const rejects: Array<[string, () => Promise<string>]> = [
    ["a malformed token", async () => "not-a-jwt"],
    ["a token with spaces", async () => "abc def.ghi"],
    [
      "alg none",
      async () =>
        `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ tenant_id: "tenant-a", aud: "authenticated", iss: ISSUER, exp: now() + 300 })}.`,
    ],
    [
      "a wrong secret",
      () => mint(undefined, { key: new TextEncoder().encode("another-secret-that-is-at-least-32-bytes") }),
    ],
    ["an expired token", () => mint(undefined, { exp: now() - 600 })],
    ["a token not yet valid (nbf)", () => mint(undefined, { nbf: now() + 600 })],
    ["a wrong audience", () => mint(undefined, { aud: "anon" })],
    ["no audience", () => mint(undefined, { aud: null })],
    ["a wrong issuer", () => mint(undefined, { iss: "https://evil.test" })],
    ["no expiry", () => mint(undefined, { exp: null })],
    [
      "a tampered payload",
      async () => {
        const [header, , signature] = (await mint({ tenant_id: "tenant-b" })).split(".");
        return `${header}.${b64url({ tenant_id: "tenant-a", sub: "user-1", aud: "authenticated", iss: ISSUER, exp: now() + 300 })}.${signature}`;
      },
    ],
    [
      "an RS256 token when only a secret is configured",
      () => mint(undefined, { alg: "RS256", key: rsaKeys.privateKey }),
    ],
    ["an HS512 token (algorithm not allowed)", () => mint(undefined, { alg: "HS512" })],
  ];

  it.each(rejects)("rejects %s with 401", async (_, token) => {
    const res = await call(main.url, "/documents", { token: await token() });
    expect(res.status).toBe(401);
    const header = res.headers.get("www-authenticate") ?? "";
    expect(header).toMatch(/^Bearer realm="ragkit", error="invalid_token"/);
    const error = await errorOf(res);
    expect(error.code).toBe("unauthorized");
  });

  it("rejects a missing token with a bare Bearer challenge", async () => {
    const res = await call(main.url, "/documents");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="ragkit"');
    expect((await errorOf(res)).code).toBe("unauthorized");
  });

  it("says when the token has expired", async () => {
    const res = await call(main.url, "/documents", { token: await mint(undefined, { exp: now() - 600 }) });
    expect(res.headers.get("www-authenticate")).toContain("expired");
  });

  it("tolerates small clock skew", async () => {
    const res = await call(main.url, "/documents", { token: await mint(undefined, { nbf: now() + 2 }) });
    expect(res.status).toBe(200);
  });

  it.each([
    ["no tenant claim", {}],
    ["an empty tenant claim", { tenant_id: "" }],
    ["a non-string tenant claim", { tenant_id: 42 }],
    ["an invalid tenant id", { tenant_id: "bad tenant; DROP" }],
  ])("answers 403 for a verified token with %s", async (_, claims) => {
    const res = await call(main.url, "/documents", { token: await mint(claims) });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("forbidden");
  });

  it("answers 403 unknown_tenant for a tenant that was never provisioned", async () => {
    const res = await call(main.url, "/documents", { token: await mint({ tenant_id: "tenant-new" }) });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("unknown_tenant");
  });

  it("does not call onError for client errors", () => {
    expect(onError).not.toHaveBeenCalled();
  });
});

describe("claim paths and provisioning", () => {
  it("reads a nested tenant claim (Supabase app_metadata)", async () => {
    const handler = createRagHandler({
      store,
      auth: { jwtSecret: SECRET, tenantClaim: "app_metadata.tenant_id", userClaim: "user_metadata.id" },
    });
    const token = await mint({ app_metadata: { tenant_id: "tenant-a" }, user_metadata: { id: "u-9" } });
    const res = await handler(
      new Request("http://local/documents", { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as DocumentListResponse).documents).toHaveLength(docsA.length);

    const flat = await mint({ tenant_id: "tenant-a" });
    const denied = await handler(
      new Request("http://local/documents", { headers: { authorization: `Bearer ${flat}` } }),
    );
    expect(denied.status).toBe(403);
  });

  it("accepts claim names with dots as path segments", async () => {
    const handler = createRagHandler({
      store,
      auth: { jwtSecret: SECRET, tenantClaim: ["https://ragkit.test/claims", "tenant"] },
    });
    const token = await mint({ "https://ragkit.test/claims": { tenant: "tenant-b" } });
    const res = await handler(
      new Request("http://local/documents", { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(((await res.json()) as DocumentListResponse).documents.map((d) => d.id).sort()).toEqual(
      [...docsB].sort(),
    );
  });

  it("does not follow prototype properties in claim paths", async () => {
    const handler = createRagHandler({ store, auth: { jwtSecret: SECRET, tenantClaim: "constructor.name" } });
    const token = await mint({});
    const res = await handler(
      new Request("http://local/documents", { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(res.status).toBe(403);
  });

  it("provisions tenants on first sight when autoProvisionTenants is on", async () => {
    const handler = createRagHandler({ store, auth: { jwtSecret: SECRET }, autoProvisionTenants: true });
    const token = await mint({ tenant_id: "tenant-auto" });
    for (let i = 0; i < 2; i++) {
      const res = await handler(
        new Request("http://local/documents", { headers: { authorization: `Bearer ${token}` } }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ documents: [], nextCursor: null });
    }
    // As the tenant itself: on a runtime login, row-level security hides tenants outside a tenant transaction.
    const rows = await store.withTenant(createTenantContext({ tenantId: "tenant-auto" }), (tx) =>
      tx.query<{ id: string }>("SELECT id FROM ragkit.tenants"),
    );
    expect(rows).toHaveLength(1);
  });

  it("supports a custom authenticate function", async () => {
    const errors = vi.fn();
    const handler = createRagHandler({
      store,
      onError: errors,
      auth: {
        authenticate: async (request) => {
          const key = request.headers.get("x-api-key");
          if (key === "boom") throw new Error("identity provider down");
          return key === "key-a" ? { tenantId: "tenant-a", userId: "svc" } : null;
        },
      },
    });
    const ok = await handler(new Request("http://local/documents", { headers: { "x-api-key": "key-a" } }));
    expect(ok.status).toBe(200);
    const no = await handler(new Request("http://local/documents", { headers: { "x-api-key": "nope" } }));
    expect(no.status).toBe(401);
    expect(no.headers.get("www-authenticate")).toBe('Bearer realm="ragkit"');
    const boom = await handler(new Request("http://local/documents", { headers: { "x-api-key": "boom" } }));
    expect(boom.status).toBe(500);
    expect(await errorOf(boom)).toMatchObject({ code: "internal_error", message: "Internal server error." });
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe("JWKS", () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;
  let other: Awaited<ReturnType<typeof generateKeyPair>>;
  let handler: RagHandler;
  let fetches = 0;

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256");
    ec = await generateKeyPair("ES256");
    other = await generateKeyPair("RS256");
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ];
    jwksServer = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    handler = createRagHandler({ store, auth: { jwksUrl, issuer: ISSUER } });
  });

  afterAll(async () => {
    jwksServer.closeAllConnections();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const get = (token: string) =>
    handler(new Request("http://local/documents", { headers: { authorization: `Bearer ${token}` } }));

  it("accepts RS256 and ES256 tokens signed by keys in the JWKS (fetched once, then cached)", async () => {
    const rs = await get(await mint(undefined, { alg: "RS256", key: rsa.privateKey, kid: "rsa-1" }));
    expect(rs.status).toBe(200);
    const es = await get(
      await mint({ tenant_id: "tenant-b" }, { alg: "ES256", key: ec.privateKey, kid: "ec-1" }),
    );
    expect(es.status).toBe(200);
    expect(((await es.json()) as DocumentListResponse).documents.map((d) => d.id).sort()).toEqual(
      [...docsB].sort(),
    );
    expect(fetches).toBe(1);
  });

  it("rejects a token signed by a key that is not in the JWKS", async () => {
    expect(
      (await get(await mint(undefined, { alg: "RS256", key: other.privateKey, kid: "rsa-1" }))).status,
    ).toBe(401);
    expect(
      (await get(await mint(undefined, { alg: "RS256", key: other.privateKey, kid: "unknown" }))).status,
    ).toBe(401);
  });

  it("rejects an HS256 token signed with the public key as the HMAC secret (algorithm confusion)", async () => {
    const pem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const res = await get(await mint(undefined, { alg: "HS256", key: pem, kid: "rsa-1" }));
    expect(res.status).toBe(401);
  });

  it("answers 503 (not 401) when the JWKS endpoint is unreachable", async () => {
    const errors = vi.fn();
    const down = createRagHandler({
      store,
      onError: errors,
      auth: { jwksUrl: "http://127.0.0.1:1/jwks.json" },
    });
    const token = await mint(undefined, { alg: "RS256", key: rsa.privateKey, kid: "rsa-1" });
    const res = await down(
      new Request("http://local/documents", { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe("service_unavailable");
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe("request bodies", () => {
  const search = async (init: RequestInit) =>
    call(main.url, "/search", { method: "POST", token: await mint(), ...init });

  it("400 with field-level details for an invalid search request", async () => {
    const res = await search({
      body: JSON.stringify({ query: "  ", topK: 0, mode: "fuzzy", filter: { "a b": 1 } }),
    });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_input");
    expect(error.details?.map((d) => d.path).sort()).toEqual(["filter.a b", "mode", "query", "topK"]);
    expect(error.message).toMatch(/^Invalid search request: /);
  });

  it.each([
    ["not JSON", "{query:"],
    ["empty", ""],
    ["a JSON array", "[1,2]"],
    ["JSON null", "null"],
  ])("400 for a body that is %s", async (_, body) => {
    const res = await search({ body });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_input");
    expect(error.details?.length).toBeGreaterThan(0);
  });

  it("400 for invalid UTF-8", async () => {
    const res = await search({
      body: new Uint8Array([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x7d]),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
  });

  it.each([
    ["text/plain", "text/plain"],
    ["form data", "application/x-www-form-urlencoded"],
    ["a non-UTF-8 charset", "application/json; charset=latin1"],
  ])("415 for %s", async (_, type) => {
    const res = await search({ body: JSON.stringify({ query: "x" }), headers: { "content-type": type } });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("unsupported_media_type");
  });

  it("accepts application/json with a UTF-8 charset", async () => {
    const res = await search({
      body: JSON.stringify({ query: "leave" }),
      headers: { "content-type": "application/json; charset=UTF-8" },
    });
    expect(res.status).toBe(200);
  });

  it("413 for a body over maxBodyBytes (declared length)", async () => {
    const res = await search({ body: JSON.stringify({ query: "x", pad: "y".repeat(1024 * 1024) }) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
  });

  it("413 for a streamed body that grows past maxBodyBytes (no content-length)", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 3 * 1024 * 1024) return controller.close();
        const chunk = new TextEncoder().encode(sent === 0 ? '{"query":"x","pad":"' : "y".repeat(64 * 1024));
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await search({
      body,
      duplex: "half",
      headers: { "content-type": "application/json" },
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
    // The connection stays usable afterwards.
    expect((await call(main.url, "/health")).status).toBe(200);
  });

  it("checks the token before reading the body", async () => {
    const res = await call(main.url, "/search", {
      method: "POST",
      body: "not json",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(401);
  });
});

describe("routing", () => {
  it("404 for unknown routes, 405 with Allow for wrong methods", async () => {
    const token = await mint();
    const missing = await call(main.url, "/nope", { token });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe("not_found");
    expect((await call(main.url, "/documents/a/b", { token })).status).toBe(404);
    expect((await call(main.url, "/health/", { token })).status).toBe(404);

    const del = await call(main.url, "/search", { method: "DELETE", token });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("POST");
    expect((await errorOf(del)).code).toBe("method_not_allowed");
    const put = await call(main.url, "/documents", { method: "PUT", token, body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
    const getSearch = await call(main.url, "/search");
    expect(getSearch.status).toBe(405);
  });

  it("serves under a basePath and nowhere else", async () => {
    const handler = createRagHandler({ store, basePath: "/api/rag", auth: { jwtSecret: SECRET } });
    expect(handler.basePath).toBe("/api/rag");
    expect((await handler(new Request("http://local/api/rag/health"))).status).toBe(200);
    expect((await handler(new Request("http://local/health"))).status).toBe(404);
    expect((await handler(new Request("http://local/api/ragx/health"))).status).toBe(404);
    expect((await handler(new Request("http://local/api/rag"))).status).toBe(404);
  });
});

describe("request ids", () => {
  it("echoes a safe incoming id and replaces an unsafe one", async () => {
    const echoed = await call(main.url, "/health", { headers: { "x-request-id": "client-req_42.a:b" } });
    expect(echoed.headers.get("x-request-id")).toBe("client-req_42.a:b");
    for (const bad of ["has space", "<script>", "x".repeat(200), "-leading-dash"]) {
      const res = await call(main.url, "/nope", { headers: { "x-request-id": bad } });
      const id = res.headers.get("x-request-id");
      expect(id).toMatch(UUID);
      expect((await errorOf(res)).requestId).toBe(id);
    }
  });

  it("is present on 401, 404, 405 and 200 responses", async () => {
    for (const res of [
      await call(main.url, "/documents"),
      await call(main.url, "/nope"),
      await call(main.url, "/search"),
      await call(main.url, "/documents", { token: await mint() }),
    ]) {
      expect(res.headers.get("x-request-id")).toMatch(UUID);
    }
  });
});

describe("lazily opened store", () => {
  it("opens a store from a database string on first use and closes it", async () => {
    const handler = createRagHandler({
      database: "memory://",
      auth: { jwtSecret: SECRET },
      autoProvisionTenants: true,
    });
    expect((await handler(new Request("http://local/health"))).status).toBe(200);
    expect((await handler(new Request("http://local/ready"))).status).toBe(200);
    const token = await mint();
    const res = await handler(
      new Request("http://local/documents", { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(await res.json()).toEqual({ documents: [], nextCursor: null });
    await handler.close();
  });
});

import { createTenantContext, type KnowledgeStore } from "@ragkit/core";
import { errorBodySchema, routeTable } from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRagHandler, type RagHandler, RagHandlerOptionsError } from "../src/index.js";
import { defaultRoutes } from "../src/routes.js";
import { openTestStore } from "./store.js";
import { type Served, serve } from "./support.js";
import { call, TEST_SECRET, tokenFor } from "./tokens.js";

let store: KnowledgeStore;
const handlers: RagHandler[] = [];
const servers: Served[] = [];

async function start(options: Partial<Parameters<typeof createRagHandler>[0]>): Promise<Served> {
  const handler = createRagHandler({
    store,
    auth: { jwtSecret: TEST_SECRET },
    ingestion: { worker: false },
    ...options,
  });
  handlers.push(handler);
  const served = await serve(handler);
  servers.push(served);
  return served;
}

beforeAll(async () => {
  store = await openTestStore();
  for (const t of ["tenant-a", "tenant-b"]) await store.ensureTenant(createTenantContext({ tenantId: t }));
});

afterAll(async () => {
  for (const s of servers) await s.close();
  for (const h of handlers) await h.close();
  await store?.close();
});

describe("CORS", () => {
  let api: Served;
  beforeAll(async () => {
    api = await start({ cors: { origins: ["https://app.example.com"], credentials: true, maxAgeSec: 120 } });
  });

  it("answers a preflight from an allowed origin without authentication", async () => {
    const res = await fetch(`${api.url}/documents`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(res.headers.get("access-control-max-age")).toBe("120");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("gives a disallowed origin no CORS headers (the browser blocks it)", async () => {
    const res = await fetch(`${api.url}/documents`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const get = await call(api.url, "/health", { headers: { origin: "https://evil.example" } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("adds CORS and exposed headers to actual responses, errors included", async () => {
    const res = await call(api.url, "/documents", { headers: { origin: "https://app.example.com" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("vary")).toContain("Origin");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });

  it("refuses credentials with the * origin at construction", () => {
    expect(() =>
      createRagHandler({
        store,
        auth: { jwtSecret: TEST_SECRET },
        cors: { origins: "*", credentials: true },
      }),
    ).toThrow(RagHandlerOptionsError);
    expect(() =>
      createRagHandler({
        store,
        auth: { jwtSecret: TEST_SECRET },
        cors: { origins: ["https://a.test/path"] },
      }),
    ).toThrow(/cors\.origins/);
  });
});

/** Every route of the table as a concrete path (`:name` segments filled in). */
const concretePaths = [
  ...new Set(defaultRoutes.map((r) => routeTable[r.name].path.replace(/:[A-Za-z]+/g, "x1"))),
];

describe("preflight is never 405", () => {
  const preflightOf = (url: string, origin: string, method = "POST") =>
    fetch(url, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization, content-type",
      },
    });

  it("without cors: every route answers OPTIONS 204 with Allow and no CORS headers (the browser refuses)", async () => {
    const api = await start({});
    expect(concretePaths).toContain("/copilotkit/info");
    expect(concretePaths).toContain("/copilotkit");
    for (const path of concretePaths) {
      const res = await preflightOf(`${api.url}${path}`, "http://127.0.0.1:5173");
      expect(res.status, path).toBe(204);
      expect(res.headers.get("allow"), path).toMatch(/OPTIONS/);
      expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
      const plain = await fetch(`${api.url}${path}`, { method: "OPTIONS" });
      expect(plain.status, path).toBe(204);
    }
    expect((await fetch(`${api.url}/copilotkit/info`, { method: "OPTIONS" })).headers.get("allow")).toBe(
      "GET, OPTIONS",
    );
    expect((await fetch(`${api.url}/no-such-route`, { method: "OPTIONS" })).status).toBe(404);
  });

  it.each([
    ["an origin", "http://127.0.0.1:5173"],
    ["a list", ["http://127.0.0.1:5173", "http://localhost:5173"]],
    ["*", "*"],
  ] as const)(
    "the one-line `cors` option (%s) answers CopilotKit's preflights on every route",
    async (_, cors) => {
      const api = await start({ cors });
      for (const path of concretePaths) {
        const res = await preflightOf(`${api.url}${path}`, "http://127.0.0.1:5173");
        expect(res.status, path).toBe(204);
        expect(res.headers.get("access-control-allow-origin"), path).toBe(
          cors === "*" ? "*" : "http://127.0.0.1:5173",
        );
        expect(res.headers.get("access-control-allow-headers"), path).toBe("authorization, content-type");
      }
      const info = await fetch(`${api.url}/copilotkit/info`, {
        headers: { origin: "http://127.0.0.1:5173" },
      });
      expect(info.status).toBe(200);
      expect(info.headers.get("access-control-allow-origin")).toBe(
        cors === "*" ? "*" : "http://127.0.0.1:5173",
      );
      if (cors !== "*") {
        const other = await preflightOf(`${api.url}/copilotkit/info`, "http://127.0.0.1:9999", "GET");
        expect(other.headers.get("access-control-allow-origin")).toBeNull();
      }
    },
  );

  it("a shorthand that is not an origin is refused at construction", () => {
    expect(() =>
      createRagHandler({ store, auth: { jwtSecret: TEST_SECRET }, cors: "localhost:5173" }),
    ).toThrow(/cors\.origins/);
  });
});

describe("rate limits stored in the database", () => {
  it("limits a user across two replicas sharing the database, with 429 and Retry-After", async () => {
    const rateLimits = { perUser: { limit: 3, windowSec: 60 }, perTenant: { limit: 100, windowSec: 60 } };
    const one = await start({ rateLimits });
    const two = await start({ rateLimits });
    const carol = await tokenFor("tenant-a", "carol");
    const statuses: number[] = [];
    for (const replica of [one, two, one]) {
      const res = await call(replica.url, "/documents", { token: carol });
      statuses.push(res.status);
      expect(res.headers.get("x-ratelimit-limit")).toBe("3");
    }
    const refused = await call(two.url, "/documents", { token: carol });
    statuses.push(refused.status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(errorBodySchema.parse(await refused.json()).error.code).toBe("rate_limited");
    // Another user of the same tenant has their own budget; health checks are never limited.
    expect((await call(one.url, "/documents", { token: await tokenFor("tenant-a", "dave") })).status).toBe(
      200,
    );
    expect((await call(one.url, "/health")).status).toBe(200);
  });

  it("limits a whole tenant, leaving other tenants alone", async () => {
    const api = await start({ rateLimits: { perTenant: { limit: 2, windowSec: 3600 } } });
    const statuses = [];
    for (const user of ["u1", "u2", "u3"]) {
      statuses.push((await call(api.url, "/documents", { token: await tokenFor("tenant-b", user) })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect((await call(api.url, "/documents", { token: await tokenFor("tenant-a", "u1") })).status).toBe(200);
  });

  it("does not count requests that fail authentication", async () => {
    const api = await start({ rateLimits: { perTenant: { limit: 1, windowSec: 3600 } } });
    for (let i = 0; i < 3; i++)
      expect((await call(api.url, "/documents", { token: "bad.token.x" })).status).toBe(401);
    const fresh = createTenantContext({ tenantId: "tenant-c" });
    await store.ensureTenant(fresh);
    expect((await call(api.url, "/documents", { token: await tokenFor("tenant-c") })).status).toBe(200);
  });
});

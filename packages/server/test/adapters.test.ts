import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve as serveHono } from "@hono/node-server";
import { createTenantContext, KnowledgeStore } from "@ragkit/core";
import { searchResponseSchema } from "@ragkit/protocol";
import express from "express";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRagHandler,
  type RagHandler,
  toExpressMiddleware,
  toHonoHandler,
  toNextRouteHandlers,
} from "../src/index.js";
import { call, TEST_SECRET, tokenFor } from "./tokens.js";

let store: KnowledgeStore;
let handler: RagHandler;
let token: string;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  store = await KnowledgeStore.open();
  const ctx = createTenantContext({ tenantId: "tenant-a" });
  await store.ensureTenant(ctx);
  const text = "The aurora budget is five million euros.";
  await store.putDocument(ctx, { title: "Budget", text, chunks: [{ text, start: 0, end: text.length }] });
  handler = createRagHandler({
    store,
    auth: { jwtSecret: TEST_SECRET },
    basePath: "/api/rag",
    ingestion: { worker: false },
  });
  token = await tokenFor("tenant-a");
});

afterAll(async () => {
  for (const close of closers) await close();
  await handler?.close();
  await store?.close();
});

/** Closes idle keep-alive connections too, so closing does not wait for their timeout. */
function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    const done = () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (server.listening) done();
    else server.once("listening", done);
  });
}

/** The same conversation with the API through any adapter. */
async function exercise(base: string) {
  expect((await call(base, "/api/rag/health")).status).toBe(200);
  expect((await call(base, "/api/rag/documents")).status).toBe(401);
  const res = await call(base, "/api/rag/search", {
    method: "POST",
    token,
    body: JSON.stringify({ query: "aurora budget", tenant_id: "ignored" }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const { results } = searchResponseSchema.parse(await res.json());
  expect(results[0]!.text).toContain("five million");
  expect(res.headers.get("x-request-id")).toBeTruthy();
}

describe("adapters", () => {
  it("Express: mounted after express.json(), falls through to next() outside its base path", async () => {
    const app = express();
    app.use(express.json());
    app.use(toExpressMiddleware(handler));
    app.get("/other", (_req, res) => {
      res.json({ host: "app" });
    });
    const server = app.listen(0, "127.0.0.1");
    closers.push(() => stop(server));
    const base = await listen(server);
    await exercise(base);
    expect(await (await fetch(`${base}/other`)).json()).toEqual({ host: "app" });
  });

  it("Express: mounted under a path with app.use(basePath, …), body not pre-parsed", async () => {
    const app = express();
    app.use("/api/rag", toExpressMiddleware(handler));
    const server = app.listen(0, "127.0.0.1");
    closers.push(() => stop(server));
    await exercise(await listen(server));
  });

  it("Hono on @hono/node-server", async () => {
    const app = new Hono();
    app.all("/api/rag/*", toHonoHandler(handler));
    app.get("/", (c) => c.text("home"));
    const server = serveHono({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    closers.push(() => stop(server));
    const base = await listen(server);
    await exercise(base);
    expect(await (await fetch(`${base}/`)).text()).toBe("home");
  });

  it("Next.js App Router route handlers (called as Next calls them: a Request and a context)", async () => {
    const routes = toNextRouteHandlers(handler);
    const nextCall = (method: keyof typeof routes, path: string, init: RequestInit = {}) =>
      (routes[method] as (r: Request, c: unknown) => Promise<Response>)(
        new Request(`http://localhost:3000${path}`, { method, ...init }),
        { params: Promise.resolve({ path: path.split("/").slice(3) }) },
      );
    expect((await nextCall("GET", "/api/rag/health")).status).toBe(200);
    const res = await nextCall("POST", "/api/rag/search", {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "aurora" }),
    });
    expect(res.status).toBe(200);
    expect((await nextCall("DELETE", "/api/rag/health")).status).toBe(405);
  });
});

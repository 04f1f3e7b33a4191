#!/usr/bin/env node
// The RagKit demo: @ragkit/server on the embedded default (PGlite on disk, offline embedder, extractive answers —
// or a chat model when OPENAI_API_KEY / ANTHROPIC_API_KEY / OPENAI_BASE_URL is set) plus the React host app, on
// one port. Two demo tenants sign in with JWTs minted here with a demo secret, verified by the server like any
// other token. Never use the demo secret or its token endpoint in production.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { KnowledgeStore } from "@ragkit/core";
import { createRagHandler, toNodeHandler } from "@ragkit/server";
import { SignJWT } from "jose";
import { DEMO_CHUNKING, DEMO_TENANTS, seedDemo } from "./seed.mjs";

const here = import.meta.dirname;
// Optional settings (chat model keys, port): see .env.example. Real environment variables win.
const envFile = join(here, "..", "..", ".env");
if (existsSync(envFile)) process.loadEnvFile(envFile);
const port = Number(process.env.PORT ?? 5180);
const host = process.env.HOST ?? "127.0.0.1";
const dataDir = resolve(process.env.RAGKIT_DEMO_DATA ?? join(here, "..", "..", ".ragkit", "demo"));
const secret = process.env.RAGKIT_DEMO_JWT_SECRET ?? "ragkit-demo-secret-change-me-0123456789";
const webRoot = join(here, "web", "dist");
// The web app on its own origin (the usual split of a web server and an API): RAGKIT_DEMO_WEB_PORT serves it on
// a second port, which the API then allows through CORS. RAGKIT_DEMO_CORS adds origins (e.g. a Vite dev server).
const webPort = process.env.RAGKIT_DEMO_WEB_PORT ? Number(process.env.RAGKIT_DEMO_WEB_PORT) : null;
const shownHost = host === "0.0.0.0" ? "localhost" : host;
const apiOrigin = `http://${shownHost}:${port}`;
const webOrigins = webPort === null ? [] : [`http://${shownHost}:${webPort}`];
const corsOrigins = [
  ...webOrigins,
  ...(process.env.RAGKIT_DEMO_CORS?.split(",").map((o) => o.trim()) ?? []),
].filter(Boolean);

console.log(`Opening the store at ${dataDir} (PGlite with pgvector, in this process)…`);
const store = await KnowledgeStore.open({ database: dataDir });
for (const line of await seedDemo(store)) console.log(`  ${line}`);

const models = await chatModelsFromEnv();
// Offline answers are composed in a millisecond: pace their words so the chat visibly streams (0 turns it off).
const offlineStreamDelayMs = Number(process.env.RAGKIT_DEMO_STREAM_DELAY_MS ?? 20);
const handler = createRagHandler({
  store,
  basePath: "/api",
  auth: { jwtSecret: secret },
  ingestion: { chunking: DEMO_CHUNKING },
  // The one line a host on another origin needs (CopilotKit's runtimeUrl included).
  ...(corsOrigins.length > 0 ? { cors: corsOrigins } : {}),
  agent: {
    name: "RagKit demo",
    description: "Answers from the signed-in tenant's documents and sales data, with citations.",
    options: { offlineStreamDelayMs, ...(models ? { models } : {}) },
  },
});
const api = toNodeHandler(handler);

async function mintToken(tenant, user) {
  return new SignJWT({ tenant_id: tenant, name: user })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(`${tenant}:${user}`)
    .setAudience("authenticated")
    .setIssuedAt()
    .setExpirationTime("8h")
    .sign(new TextEncoder().encode(secret));
}

/** Optional chat models from the environment; the offline extractive answerer otherwise. */
async function chatModelsFromEnv() {
  const core = await import("@ragkit/core");
  if (typeof core.llmModelsFromEnv !== "function") return null;
  const models = core.llmModelsFromEnv(process.env);
  if (models) console.log("Using the chat model configured in the environment.");
  return models;
}

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** Serves the built web app; `apiBase` (another origin) is passed to it in a `<meta name="ragkit-api">`. */
function serveStatic(req, res, apiBase = "") {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const file = normalize(join(webRoot, path === "/" ? "index.html" : path));
  const target =
    file.startsWith(webRoot) && existsSync(file) && extname(file) ? file : join(webRoot, "index.html");
  if (!existsSync(target)) {
    res
      .writeHead(503, { "content-type": "text/plain" })
      .end("The demo web app is not built: run `npm run demo`.");
    return;
  }
  res.writeHead(200, { "content-type": types[extname(target)] ?? "application/octet-stream" });
  if (extname(target) !== ".html" || !apiBase) return res.end(readFileSync(target));
  const meta = `<meta name="ragkit-api" content="${apiBase}" />`;
  res.end(readFileSync(target, "utf8").replace("</head>", `    ${meta}\n  </head>`));
}

/** CORS for the demo's own token endpoint (the RagKit routes get theirs from the handler's `cors`). */
function tokenCors(req) {
  const origin = req.headers.origin;
  return origin && corsOrigins.includes(origin)
    ? { "access-control-allow-origin": origin, vary: "Origin" }
    : {};
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/demo/token") {
    const tenant = url.searchParams.get("tenant") ?? "";
    if (!Object.hasOwn(DEMO_TENANTS, tenant)) {
      res
        .writeHead(400, { "content-type": "application/json", ...tokenCors(req) })
        .end(JSON.stringify({ error: "unknown demo tenant" }));
      return;
    }
    const token = await mintToken(tenant, url.searchParams.get("user") ?? "demo-user");
    res.writeHead(200, {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...tokenCors(req),
    });
    res.end(JSON.stringify({ token, tenant, name: DEMO_TENANTS[tenant].name }));
    return;
  }
  if (url.pathname.startsWith("/api/")) return api(req, res);
  serveStatic(req, res);
});

const web = webPort === null ? null : createServer((req, res) => serveStatic(req, res, apiOrigin));

server.listen(port, host, () => {
  if (web) {
    web.listen(webPort, host, () => {
      console.log(`\nRagKit demo: http://${shownHost}:${webPort} (web app), API on ${apiOrigin} (CORS)`);
      console.log("Sign in as acme or globex; each sees only its own documents and sales data.");
    });
    return;
  }
  console.log(`\nRagKit demo: ${apiOrigin}`);
  console.log("Sign in as acme or globex; each sees only its own documents and sales data.");
});

const shutdown = async () => {
  web?.close();
  server.close();
  await handler.close();
  await store.close();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);

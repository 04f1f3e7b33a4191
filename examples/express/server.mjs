#!/usr/bin/env node
// RagKit inside an existing Express app: the API under /api/rag next to the app's own routes.
//   JWT_SECRET=… node examples/express/server.mjs     (DATABASE_URL=postgres://… for Postgres; PGlite otherwise)
import { pathToFileURL } from "node:url";
import { createRagHandler, toExpressMiddleware } from "@ragkit/server";
import express from "express";

export async function start({
  port = Number(process.env.PORT ?? 3000),
  host = "127.0.0.1",
  env = process.env,
} = {}) {
  const handler = createRagHandler({
    database: env.DATABASE_URL ?? env.RAGKIT_DATA_DIR ?? "memory://",
    basePath: "/api/rag",
    auth: { jwtSecret: required(env, "JWT_SECRET") },
    autoProvisionTenants: true,
  });
  const app = express();
  app.use(express.json()); // fine before RagKit: parsed JSON bodies are re-encoded for it
  app.use(toExpressMiddleware(handler));
  app.get("/", (_req, res) => {
    res.type("text").send("Host app. RagKit is mounted at /api/rag (try /api/rag/health).");
  });
  const server = app.listen(port, host);
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await handler.close();
    },
  };
}

function required(env, name) {
  const value = env[name];
  if (!value)
    throw new Error(`Set ${name} (at least 32 characters; the secret your auth provider signs JWTs with).`);
  return value;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { url } = await start();
  console.log(`Express + RagKit on ${url} (API: ${url}/api/rag)`);
}

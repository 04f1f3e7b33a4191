#!/usr/bin/env node
// RagKit in a Hono app on Node (@hono/node-server). The same `app` runs on Bun with `export default app`.
//   JWT_SECRET=… node examples/hono/server.mjs
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { createRagHandler, toHonoHandler } from "@ragkit/server";
import { Hono } from "hono";

export function createApp(env = process.env) {
  if (!env.JWT_SECRET) throw new Error("Set JWT_SECRET (at least 32 characters).");
  const handler = createRagHandler({
    database: env.DATABASE_URL ?? env.RAGKIT_DATA_DIR ?? "memory://",
    basePath: "/api/rag",
    auth: { jwtSecret: env.JWT_SECRET },
    autoProvisionTenants: true,
  });
  const app = new Hono();
  app.all("/api/rag/*", toHonoHandler(handler));
  app.get("/", (c) => c.text("Host app. RagKit is mounted at /api/rag (try /api/rag/health)."));
  return { app, handler };
}

export async function start({
  port = Number(process.env.PORT ?? 3000),
  host = "127.0.0.1",
  env = process.env,
} = {}) {
  const { app, handler } = createApp(env);
  const server = serve({ fetch: app.fetch, port, hostname: host });
  await new Promise((resolve) => (server.listening ? resolve() : server.once("listening", resolve)));
  return {
    url: `http://${host}:${server.address().port}`,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      await handler.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { url } = await start();
  console.log(`Hono + RagKit on ${url} (API: ${url}/api/rag)`);
}

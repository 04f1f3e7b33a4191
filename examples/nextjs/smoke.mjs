#!/usr/bin/env node
// Smoke test of the built example: `next start` on a free loopback port, then the page, RagKit's health route,
// an authenticated upload and a search through the App Router route handler. Run after `next build`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";

const secret = "smoke-test-secret-that-is-at-least-32-bytes";
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const data = mkdtempSync(join(tmpdir(), "ragkit-next-"));
const next = spawn("npx", ["next", "start", "-H", "127.0.0.1", "-p", String(port)], {
  cwd: import.meta.dirname,
  env: { ...process.env, JWT_SECRET: secret, RAGKIT_DATA_DIR: data, NEXT_TELEMETRY_DISABLED: "1" },
  stdio: ["ignore", "inherit", "inherit"],
  detached: true,
});
const base = `http://127.0.0.1:${port}`;
const stop = () => {
  try {
    process.kill(-next.pid, "SIGTERM");
  } catch {}
  rmSync(data, { recursive: true, force: true });
};

try {
  let ready = false;
  for (let i = 0; i < 120 && !ready; i++) {
    ready = await fetch(`${base}/api/rag/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (!ready) await new Promise((r) => setTimeout(r, 500));
  }
  if (!ready) throw new Error("next start did not answer within 60 s");
  const page = await (await fetch(base)).text();
  if (!page.includes("RagKit on Next.js")) throw new Error("page did not render");
  // The widget renders on the server too (no fetch there): its scoped root and CopilotKit's are in the HTML.
  if (!page.includes("data-ragkit") || !page.includes("data-copilotkit"))
    throw new Error("widget was not server-rendered");
  const token = await new SignJWT({ tenant_id: "acme" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("smoke")
    .setAudience("authenticated")
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(secret));
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  if ((await fetch(`${base}/api/rag/documents`)).status !== 401)
    throw new Error("unauthenticated request was not refused");
  const upload = await fetch(`${base}/api/rag/documents`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ text: "Next.js serves RagKit from a route handler.", title: "Next" }),
  });
  if (upload.status !== 202) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  const { jobs } = await upload.json();
  const events = await (
    await fetch(`${base}/api/rag/jobs/${jobs[0].jobId}/events`, { headers: auth })
  ).text();
  if (!events.includes('"state":"done"')) throw new Error(`ingestion did not finish: ${events}`);
  const search = await fetch(`${base}/api/rag/search`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ query: "route handler" }),
  });
  const { results } = await search.json();
  if (!results[0]?.text.includes("route handler")) throw new Error("search found nothing");
  console.log("next.js example: page, health, auth, upload, ingestion and search ok");
} finally {
  stop();
}

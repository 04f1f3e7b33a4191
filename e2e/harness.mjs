// Starts the demo server on a free loopback port with a fresh data directory, and a headless Debian Chromium
// through playwright-core (`npx playwright install` cannot run here). Screenshots go to artifacts/e2e/.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..");
export const artifacts = join(root, "artifacts", "e2e");

const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(
    Boolean,
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error("Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH).");
  return found;
}

export async function freePort() {
  return new Promise((resolvePort) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

/**
 * The demo server as a child process; resolves once it serves the app. `separateWebOrigin` serves the web app
 * on a second port (another origin), calling the API through CORS.
 */
export async function startDemo({ separateWebOrigin = false, env: extraEnv = {} } = {}) {
  if (!existsSync(join(root, "examples", "demo", "web", "dist", "index.html"))) {
    throw new Error("Build the demo app first: vite build examples/demo/web (npm run test:e2e does).");
  }
  const port = await freePort();
  const webPort = separateWebOrigin ? await freePort() : null;
  const data = mkdtempSync(join(tmpdir(), "ragkit-e2e-"));
  const child = spawn(process.execPath, [join(root, "examples", "demo", "server.mjs")], {
    env: {
      ...process.env,
      PORT: String(port),
      RAGKIT_DEMO_DATA: data,
      OPENAI_API_KEY: "",
      ANTHROPIC_API_KEY: "",
      // Tests do not wait for the paced words a person would see.
      RAGKIT_DEMO_STREAM_DELAY_MS: "0",
      ...(webPort ? { RAGKIT_DEMO_WEB_PORT: String(webPort) } : {}),
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => {
    log += d;
  });
  child.stderr.on("data", (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`demo server exited:\n${log}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (webPort) {
    for (let i = 0; i < 40; i++) {
      if ((await fetch(`http://127.0.0.1:${webPort}/`).catch(() => null))?.ok) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    /** Where the web app is served: another origin with `separateWebOrigin`, else the API's. */
    webUrl: webPort ? `http://127.0.0.1:${webPort}` : url,
    log: () => log,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  mkdirSync(artifacts, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), "ragkit-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
};

/** Serves a built directory (another origin than the API) on 127.0.0.1:`port`. */
export async function serveDirectory(dir, port) {
  const server = createHttpServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir) || !existsSync(file) || !extname(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

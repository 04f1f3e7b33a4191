#!/usr/bin/env node
/**
 * Screenshots of @ragkit/react's stories for docs/react.md, taken in a real browser (Debian chromium via
 * playwright-core) from the static Storybook build, with the backend mocked by msw replaying recorded events.
 *
 *   node scripts/storybook-screenshots.mjs [--build] [--chromium /usr/bin/chromium]
 *
 * --build runs `npm run build-storybook` first (otherwise an existing storybook-static/ is used).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const staticDir = join(root, "storybook-static");
const outDir = join(root, "docs/images/react");
const args = process.argv.slice(2);
const executablePath = args.includes("--chromium")
  ? args[args.indexOf("--chromium") + 1]
  : "/usr/bin/chromium";

/** [file name, story id, selector that appears once the story (and its play function) is done]. */
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : null;
const allShots = [
  ["chat-answer", "chat-ragchat--answer-with-sources", "[aria-label=Sources]"],
  ["chat-chart", "chat-ragchat--chart-answer", "figure"],
  ["chat-approval", "chat-ragchat--approval-pending", "[data-approval=pending]"],
  ["chat-dark", "chat-ragchat--dark", "[role=note]"],
  ["chat-narrow", "chat-ragchat--narrow-width", "[role=note]"],
  ["agent-state", "generative-ui-agentstatedisplay--streaming", "[role=progressbar]"],
  ["citation-hover", "generative-ui-citations--inline-marker-open", "[role=tooltip] mark"],
  ["citations-unsupported", "generative-ui-citations--unsupported-answer", "[data-validation=unsupported]"],
  ["chart-line", "generative-ui-datavisualization--line", ".recharts-surface"],
  ["chart-pie", "generative-ui-datavisualization--pie", ".recharts-surface"],
  ["chart-table", "generative-ui-datavisualization--data-table-open", "table"],
  ["approval-card", "generative-ui-approvalcard--approval-pending", "[data-approval=pending]"],
  ["document-upload", "documents-documentupload--upload-finished-with-error", "[role=alert]"],
  ["document-list", "documents-documentlist--list", "tr[data-status]"],
  ["document-list-dark", "documents-documentlist--dark", "tr[data-status]"],
  ["headless-streaming", "headless-usestreamingresponse--answered", "[aria-label=Sources]"],
];
const shots = only ? allShots.filter(([name]) => only.includes(name)) : allShots;

if (args.includes("--build") || !existsSync(join(staticDir, "iframe.html"))) {
  execFileSync("npm", ["run", "build-storybook"], { cwd: root, stdio: "inherit" });
}

const types = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".png": "image/png",
};
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
    /^(\.\.[/\\])+/,
    "",
  );
  const file = join(staticDir, path.endsWith("/") ? `${path}index.html` : path);
  if (!file.startsWith(staticDir) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const userDataDir = mkdtempSync(join(tmpdir(), "ragkit-chromium-"));
// A fresh profile per run (playwright passes it as --user-data-dir).
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 900, height: 640 },
  deviceScaleFactor: 1,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
mkdirSync(outDir, { recursive: true });
let failed = 0;
try {
  for (const [name, id, selector] of shots) {
    const page = await context.newPage();
    const logs = [];
    page.on("console", (m) => m.type() === "error" && logs.push(m.text()));
    page.on("response", (r) => r.status() >= 400 && logs.push(`HTTP ${r.status()} ${r.url()}`));
    page.on("pageerror", (e) => logs.push(String(e)));
    try {
      await page.goto(`${base}/iframe.html?id=${id}&viewMode=story`, { waitUntil: "load" });
      await page.waitForSelector(selector, { timeout: 20_000, state: "attached" });
      // Let streamed text, charts and the popover settle.
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
      console.log(`✓ ${name}.png (${id})`);
    } catch (error) {
      failed += 1;
      await page
        .screenshot({ path: join(tmpdir(), `ragkit-${name}.failed.png`), fullPage: true })
        .catch(() => {});
      console.error(`✗ ${name} (${id}): ${error instanceof Error ? error.message.split("\n")[0] : error}`);
      for (const line of logs.slice(0, 5)) console.error(`    ${line.slice(0, 300)}`);
    } finally {
      await page.close();
    }
  }
} finally {
  await context.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed > 0 ? 1 : 0);

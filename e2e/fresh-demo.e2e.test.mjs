// The demo on a fresh tree: a copy of examples/demo with no .ragkit/ (the default data directory is two levels
// of missing directories) and no RAGKIT_DEMO_DATA, started like `npm run demo` starts it, asked one question
// over HTTP. This is the first thing a newcomer runs; it used to crash with ENOENT on mkdir '.ragkit/demo'.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askDemo, checkCitedAnswer, freePort, waitForHealth } from "../scripts/lib/demo-client.mjs";

const root = resolve(import.meta.dirname, "..");
const tree = mkdtempSync(join(tmpdir(), "ragkit-fresh-tree-"));
let child;
let log = "";
let url;

beforeAll(async () => {
  for (const part of ["server.mjs", "seed.mjs", "samples"]) {
    cpSync(join(root, "examples", "demo", part), join(tree, "examples", "demo", part), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(tree, "node_modules"), "dir");
  expect(existsSync(join(tree, ".ragkit"))).toBe(false);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    OPENAI_API_KEY: "",
    ANTHROPIC_API_KEY: "",
    OPENAI_BASE_URL: "",
  };
  delete env.RAGKIT_DEMO_DATA;
  child = spawn(process.execPath, [join(tree, "examples", "demo", "server.mjs")], { cwd: tree, env });
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  await waitForHealth(url, { timeoutMs: 150_000, exited: () => child.exitCode }).catch((error) => {
    throw new Error(`${error.message}\n${log}`);
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  rmSync(tree, { recursive: true, force: true });
});

describe("the demo from a fresh tree", () => {
  it("creates .ragkit/demo with its parents, seeds both tenants and answers with a citation", async () => {
    expect(existsSync(join(tree, ".ragkit", "demo", "PG_VERSION"))).toBe(true);
    expect(log).toContain("[acme] employee-handbook.pdf: created");
    const done = await askDemo(url, { question: "How many days of paid leave do employees get?" });
    const citation = checkCitedAnswer(done);
    expect(citation.documentTitle).toMatch(/Acme/);
    expect(done.answer).toMatch(/28 days/);
  });
});

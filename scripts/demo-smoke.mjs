#!/usr/bin/env node
// The README's first command, as CI runs it: `npm install && npm run demo` in this checkout, started in the
// background, waited for (GET /api/health), asked one question over HTTP (the answer must cite a source),
// stopped. It runs with a fresh HOME and without the telemetry variables, and fails if the output shows a
// telemetry notice (turbo's, Next's): a newcomer's first command must print none.
//
//   node scripts/demo-smoke.mjs [--command "npm install && npm run demo"] [--port N] [--timeout-s 900]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { askDemo, checkCitedAnswer, freePort, waitForHealth } from "./lib/demo-client.mjs";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    command: { type: "string", default: "npm install && npm run demo" },
    port: { type: "string" },
    "timeout-s": { type: "string", default: "900" },
    question: { type: "string", default: "How many days of paid leave do employees get?" },
  },
});
const port = values.port ? Number(values.port) : await freePort();
const url = `http://127.0.0.1:${port}`;
const home = mkdtempSync(join(tmpdir(), "ragkit-smoke-home-"));
const npmCache = process.env.npm_config_cache ?? join(process.env.HOME ?? home, ".npm");

const env = { ...process.env, PORT: String(port), HOME: home, npm_config_cache: npmCache };
for (const name of [
  "TURBO_TELEMETRY_DISABLED",
  "NEXT_TELEMETRY_DISABLED",
  "DO_NOT_TRACK",
  "XDG_CONFIG_HOME",
]) {
  delete env[name];
}
// The offline answerer: set (even empty), these are not overridden by a local .env file.
for (const name of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "OLLAMA_BASE_URL"])
  env[name] = "";

console.log(`demo smoke: \`${values.command}\` on port ${port} (fresh HOME ${home})`);
// Its own process group, so that stopping it stops npm, turbo, vite and the server alike.
const child = spawn(values.command, { cwd: root, env, shell: true, detached: true, stdio: "pipe" });
let output = "";
const keep = (chunk) => {
  output += chunk;
  process.stdout.write(chunk);
};
child.stdout.on("data", keep);
child.stderr.on("data", keep);
let exit = null;
const exited = new Promise((r) =>
  child.once("exit", (code, signal) => {
    exit = signal ?? code;
    r(exit);
  }),
);

async function stop() {
  if (exit === null) {
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => exit === null && process.kill(-child.pid, "SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(home, { recursive: true, force: true });
}

let failure = null;
try {
  await waitForHealth(url, { timeoutMs: Number(values["timeout-s"]) * 1000, exited: () => exit });
  const started = Date.now();
  const done = await askDemo(url, { question: values.question });
  const citation = checkCitedAnswer(done);
  console.log(
    `demo smoke: answered in ${Date.now() - started} ms, ${done.citations.length} citation(s), first from "${citation.documentTitle}"`,
  );
  if (/collects completely anonymous telemetry|turborepo\.dev\/docs\/telemetry/i.test(output)) {
    throw new Error("the output shows a telemetry notice");
  }
} catch (error) {
  failure = error;
} finally {
  await stop();
}
if (failure) {
  console.error(`demo smoke FAILED: ${failure.message}`);
  process.exit(1);
}
console.log("demo smoke: ok");

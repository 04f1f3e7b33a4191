#!/usr/bin/env node
// Release check: packs every publishable package, installs the tarballs into a fresh host project outside the
// workspace (real registry installs of their dependencies), then imports them from ESM and CJS and type-checks a
// consumer file under `node16` and `bundler` resolution. Fails on workspace-only dependency specs.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const packages = ["protocol", "core", "server", "react"];
const work = mkdtempSync(join(tmpdir(), "ragkit-release-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
const step = (text) => console.log(`\n▶ ${text}`);

try {
  step("checking dependency specs");
  const versions = {};
  for (const name of packages) {
    const pkg = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8"));
    versions[pkg.name] = pkg.version;
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const [dep, spec] of Object.entries(pkg[field] ?? {})) {
        if (/^(workspace:|file:|link:|\.\.?\/)/.test(spec))
          throw new Error(`${pkg.name} ${field}.${dep} = "${spec}" is workspace-only`);
      }
    }
  }

  step("npm pack");
  const tarballs = [];
  for (const name of packages) {
    const out = run("npm", ["pack", "--silent", "--pack-destination", work], join(root, "packages", name))
      .trim()
      .split("\n")
      .at(-1);
    tarballs.push(join(work, out));
    console.log(`  ${out}`);
  }

  step("installing the tarballs into a fresh host project");
  const host = join(work, "host");
  mkdirSync(host);
  writeFileSync(
    join(host, "package.json"),
    JSON.stringify({ name: "host", private: true, version: "0.0.0" }),
  );
  // Only the tarballs: npm must resolve @ragkit/* between them, never from the workspace or the registry.
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...tarballs,
      "react@19",
      "react-dom@19",
      "@types/react@19",
      "@types/node@20",
    ],
    host,
  );
  const installed = readdirSync(join(host, "node_modules", "@ragkit"));
  if (installed.sort().join() !== ["core", "protocol", "react", "server"].join())
    throw new Error(`installed: ${installed}`);

  step("ESM import");
  writeFileSync(
    join(host, "esm.mjs"),
    `import { KnowledgeStore, createTenantContext, createRagKit } from "@ragkit/core";
import * as barrel from "@ragkit/core";
import { createRagHandler } from "@ragkit/server";
import { errorCodes } from "@ragkit/protocol";
import { RagKitClient } from "@ragkit/react/headless";
const store = await KnowledgeStore.open();
const ctx = createTenantContext({ tenantId: "acme" });
await store.ensureTenant(ctx);
await store.putDocument(ctx, { title: "t", text: "hello packed world", chunks: [{ text: "hello packed world", start: 0, end: 18 }] });
const [hit] = await store.search(ctx, { query: "packed" });
if (hit?.text !== "hello packed world") throw new Error("search failed");
for (const subpath of ["store", "ingest", "agent", "models", "connectors"]) {
  const entry = await import("@ragkit/core/" + subpath);
  const names = Object.keys(entry);
  if (names.length === 0 || names.some((n) => entry[n] !== barrel[n])) throw new Error("@ragkit/core/" + subpath);
}
const kit = await createRagKit({ store });
if (kit.store !== store || typeof kit.agent.stream !== "function") throw new Error("createRagKit");
await kit.close();
const handler = createRagHandler({ store, auth: { jwtSecret: "x".repeat(32) } });
const res = await handler(new Request("http://h/health"));
if (res.status !== 200 || !errorCodes.includes("not_found") || typeof RagKitClient !== "function") throw new Error("esm");
await store.close();
console.log("  esm ok");
`,
  );
  run("node", ["esm.mjs"], host);

  step("CJS require");
  writeFileSync(
    join(host, "cjs.cjs"),
    `const core = require("@ragkit/core");
const server = require("@ragkit/server");
const protocol = require("@ragkit/protocol");
const headless = require("@ragkit/react/headless");
for (const subpath of ["store", "ingest", "agent", "models", "connectors"]) {
  if (Object.keys(require("@ragkit/core/" + subpath)).length === 0) throw new Error("@ragkit/core/" + subpath);
}
if (require("@ragkit/core/store").KnowledgeStore !== core.KnowledgeStore) throw new Error("two copies of KnowledgeStore");
for (const [name, value] of [["createTenantContext", core.createTenantContext], ["createRagHandler", server.createRagHandler], ["searchRequestSchema", protocol.searchRequestSchema], ["RagKitClient", headless.RagKitClient]]) {
  if (!value) throw new Error("missing " + name);
}
console.log("  cjs ok");
`,
  );
  run("node", ["cjs.cjs"], host);

  step("types (tsc, strict) under node16 and bundler resolution");
  writeFileSync(
    join(host, "consumer.ts"),
    `import { KnowledgeStore, type TenantContext, createTenantContext, createRagKit, type RagKit } from "@ragkit/core";
import { KnowledgeStore as StoreOnly } from "@ragkit/core/store";
import { ingestDocument } from "@ragkit/core/ingest";
import { createRagAgent } from "@ragkit/core/agent";
import { parseChatModelConfig } from "@ragkit/core/models";
import { ConnectorService } from "@ragkit/core/connectors";
import { createRagHandler, type RagHandlerOptions } from "@ragkit/server";
import type { SearchResponse } from "@ragkit/protocol";
import { RagKitClient } from "@ragkit/react/headless";
export async function main(): Promise<SearchResponse["results"]> {
  const store: KnowledgeStore = await KnowledgeStore.open();
  const ctx: TenantContext = createTenantContext({ tenantId: "acme" });
  const options: RagHandlerOptions = { store, auth: { jwtSecret: "x".repeat(32) } };
  createRagHandler(options);
  void new RagKitClient({ baseUrl: "http://localhost", getToken: async () => "t" });
  const kit: RagKit = await createRagKit({ store });
  const same: StoreOnly = kit.store;
  void [same, ingestDocument, createRagAgent, parseChatModelConfig, ConnectorService];
  const results = await store.search(ctx, { query: "q" });
  return results.map((r) => ({ ...r, source: r.source, sourceUrl: r.sourceUrl }));
}
`,
  );
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  for (const [module, resolution] of [
    ["node16", "node16"],
    ["esnext", "bundler"],
  ]) {
    const args = [
      tsc,
      "--noEmit",
      "--strict",
      "--skipLibCheck",
      "false",
      "--target",
      "es2022",
      "--module",
      module,
    ];
    args.push("--moduleResolution", resolution, "--types", "node", "--pretty", "false", "consumer.ts");
    let output = "";
    try {
      run("node", args, host);
    } catch (error) {
      output = String(error.stdout ?? "");
    }
    // Declaration files are checked (skipLibCheck false), but only errors in our own packages or the consumer
    // count: some dependencies ship d.ts that do not compile under every setting (PGlite's Emscripten globals).
    const lines = output.split("\n");
    const ours = lines.filter((line) => /^(consumer\.ts|node_modules\/@ragkit\/)/.test(line));
    if (ours.length > 0) throw new Error(`tsc (${resolution}):\n${ours.join("\n")}`);
    const theirs = lines.filter((line) => line.includes("error TS")).length;
    console.log(
      `  ${resolution} ok${theirs > 0 ? ` (${theirs} errors inside third-party .d.ts ignored)` : ""}`,
    );
  }
  console.log(
    `\nrelease check passed (${Object.entries(versions)
      .map(([n, v]) => `${n}@${v}`)
      .join(", ")})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

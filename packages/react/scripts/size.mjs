#!/usr/bin/env node
/**
 * Prints, for each entry, the min+gzip size of what a host app ships (esbuild bundle + minify of the built file
 * with everything it imports, peers react / CopilotKit / recharts excluded) and of the package's own code alone
 * (dependencies external too, what `size-limit`'s small-lib preset measures), with the bundled total split by
 * package. Fails when an entry exceeds a budget. Budgets are on the bundled total (issue 16: "including
 * everything it bundles"); the own-code figure shows where growth comes from.
 * A local script because size-limit 14 needs Node ≥ 22 (`fs.glob`) and this repo supports Node 20.
 * Run after `tsup` (npm run size does both).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const peers = Object.keys(pkg.peerDependencies ?? {}).flatMap((name) => [name, `${name}/*`]);
const externalPeers = [...peers, "react-dom", "react-dom/*"];
const externalDeps = [...externalPeers, ...Object.keys(pkg.dependencies ?? {}).flatMap((n) => [n, `${n}/*`])];
const KiB = 1024;
const entries = [
  {
    name: "@ragkit/react (main entry)",
    file: "dist/index.js",
    budget: { bundled: 120 * KiB, own: 25 * KiB },
  },
  {
    name: "@ragkit/react/headless (light entry)",
    file: "dist/headless.js",
    budget: { bundled: 15 * KiB, own: 8 * KiB },
  },
];

async function measure(file, external) {
  const result = await build({
    entryPoints: [join(root, file)],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    external,
    write: false,
    logLevel: "silent",
    metafile: true,
  });
  const js = result.outputFiles[0].contents;
  const output = Object.values(result.metafile.outputs)[0];
  const byPackage = {};
  for (const [path, input] of Object.entries(output.inputs)) {
    const name =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ??
      (/(^|\/)protocol\/dist\//.test(path) ? "@ragkit/protocol" : pkg.name);
    byPackage[name] = (byPackage[name] ?? 0) + input.bytesInOutput;
  }
  return {
    gzip: gzipSync(js, { level: 9 }).length,
    min: js.length,
    byPackage,
    imports: [...new Set(output.imports.map((i) => i.path))].sort(),
  };
}

const fmt = (bytes) => `${(bytes / KiB).toFixed(2)} KiB`;
let failed = false;
for (const entry of entries) {
  const bundled = await measure(entry.file, externalPeers);
  const own = await measure(entry.file, externalDeps);
  const check = (size, budget) => {
    const over = size > budget;
    failed ||= over;
    return `budget ${fmt(budget)} ${over ? "✗ OVER" : "✓"}`;
  };
  console.log(`${entry.name}`);
  console.log(
    `  bundled: ${fmt(bundled.gzip)} gzip (${fmt(bundled.min)} min), ${check(bundled.gzip, entry.budget.bundled)}`,
  );
  const parts = Object.entries(bundled.byPackage)
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => `${name} ${fmt(bytes)}`);
  console.log(`    min by package: ${parts.join(", ")}`);
  console.log(`    peers left to the host: ${bundled.imports.join(", ") || "(none)"}`);
  console.log(
    `  own code: ${fmt(own.gzip)} gzip (${fmt(own.min)} min), ${check(own.gzip, entry.budget.own)}`,
  );
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
/**
 * Prints the min+gzip size of the package's own JS for each entry (what `size-limit`'s small-lib preset measures:
 * esbuild bundle + minify, peers and dependencies external), and fails when an entry exceeds its budget.
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
const external = [
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.dependencies ?? {}),
  "react/*",
  "react-dom/*",
  "@copilotkit/react-core/*",
];
const entries = [
  { name: "@ragkit/react (main entry)", file: "dist/index.js", budget: 25 * 1024 },
  { name: "@ragkit/react/headless (light entry)", file: "dist/headless.js", budget: 8 * 1024 },
];

let failed = false;
for (const entry of entries) {
  const result = await build({
    entryPoints: [join(root, entry.file)],
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
  const gz = gzipSync(js, { level: 9 }).length;
  const imports = Object.values(result.metafile.outputs)[0].imports.map((i) => i.path);
  const over = gz > entry.budget;
  failed ||= over;
  console.log(
    `${entry.name}: ${(gz / 1024).toFixed(2)} KiB gzip (${(js.length / 1024).toFixed(1)} KiB min), budget ${(entry.budget / 1024).toFixed(0)} KiB ${over ? "✗ OVER" : "✓"}`,
  );
  console.log(`  external imports: ${[...new Set(imports)].sort().join(", ")}`);
}
process.exit(failed ? 1 : 0);

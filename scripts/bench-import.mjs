#!/usr/bin/env node
/**
 * Cold import time of each `@ragkit/core` entry: every run is a fresh Node process that times `import()` alone
 * (process startup excluded), and the median of the runs is printed next to the full barrel's as the baseline.
 * Goal (issue 16): `import("@ragkit/core/store")` ≤ 150 ms. `RUNS=9 npm run bench:import` for more runs.
 * A benchmark, not a test: timings depend on the machine and its load, so compare entries within one run. The CPU
 * time the import used is printed too: on a shared machine it moves less than the wall time.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { coldImport, packagesOf } from "./lib/import-trace.mjs";

const core = join(dirname(fileURLToPath(import.meta.url)), "..", "packages", "core");
const runs = Math.max(1, Number(process.env.RUNS ?? 5));
const STORE_GOAL_MS = 150;
const entries = [
  "@ragkit/core",
  "@ragkit/core/store",
  "@ragkit/core/ingest",
  "@ragkit/core/connectors",
  "@ragkit/core/models",
  "@ragkit/core/agent",
  // The floor: the schema library every entry validates its options with.
  "zod",
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

console.log(`Cold import, median of ${runs} fresh processes (Node ${process.version}):\n`);
const results = [];
for (const entry of entries) {
  // Interleaving would be fairer under load, but each entry's runs back to back keep the disk cache equally warm.
  const samples = Array.from({ length: runs }, () => coldImport(entry, { cwd: core }));
  const times = samples.map((x) => x.ms);
  const packages = packagesOf(coldImport(entry, { cwd: core, trace: true }).modules);
  const cpu = median(samples.map((x) => x.cpuMs));
  results.push({ entry, ms: median(times), cpu, min: Math.min(...times), max: Math.max(...times), packages });
}
const baseline = results[0].ms;
for (const r of results) {
  const vs = r === results[0] ? "baseline" : `${((100 * r.ms) / baseline).toFixed(0)}% of the barrel`;
  const goal =
    r.entry === "@ragkit/core/store"
      ? `  goal ≤ ${STORE_GOAL_MS} ms ${r.ms <= STORE_GOAL_MS ? "✓" : "✗"}`
      : "";
  console.log(
    `${r.entry.padEnd(24)} ${r.ms.toFixed(0).padStart(5)} ms  (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)}; CPU ${r.cpu.toFixed(0)} ms)  ${vs}${goal}`,
  );
  console.log(`${"".padEnd(24)} loads ${r.packages.length} packages: ${r.packages.join(", ") || "(none)"}`);
}

/**
 * Cold imports in fresh child processes: how long `import(specifier)` takes (Node startup excluded) and, with
 * `trace`, which modules it loads. Used by `npm run bench:import` and by the tests that pin what each
 * `@ragkit/core` entry may load.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const hooks = pathToFileURL(join(import.meta.dirname, "import-trace-hooks.mjs")).href;
const register = `import { register } from "node:module"; register(${JSON.stringify(hooks)});`;

/**
 * One cold import of `specifier`, resolved from `cwd`. Returns the milliseconds `import()` took and, with
 * `trace: true`, the URLs of every module resolved on the way (the hooks slow the import: time it without).
 */
export function coldImport(specifier, { cwd, trace = false, timeoutMs = 120_000 } = {}) {
  const dir = trace ? mkdtempSync(join(tmpdir(), "ragkit-trace-")) : null;
  const file = dir ? join(dir, "modules.txt") : null;
  try {
    // Wall time, and the CPU time the import used (less sensitive to other processes on a shared machine).
    const code = `const t = performance.now(); const c = process.cpuUsage(); await import(${JSON.stringify(specifier)}); const u = process.cpuUsage(c); console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (u.user + u.system) / 1000 }));`;
    const args = [
      ...(trace ? ["--import", `data:text/javascript,${encodeURIComponent(register)}`] : []),
      "--input-type=module",
      "-e",
      code,
    ];
    const stdout = execFileSync(process.execPath, args, {
      cwd,
      encoding: "utf8",
      timeout: timeoutMs,
      env: { ...process.env, ...(file ? { RAGKIT_IMPORT_TRACE: file } : {}) },
    });
    const { ms, cpuMs } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    const modules = file ? [...new Set(readFileSync(file, "utf8").split("\n").filter(Boolean))] : [];
    return { ms, cpuMs, modules };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** npm package names among module URLs (`…/node_modules/@scope/name/…` → `@scope/name`). */
export function packagesOf(modules) {
  const names = new Set();
  for (const url of modules) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

// Shared by the benchmark scripts: reading a BEIR-layout directory (JSON Lines, optionally gzipped).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";

/** Reads `<dir>/<base>.gz` if present, else `<dir>/<base>`, one JSON object per non-empty line. */
export function readJsonl(dir, base) {
  const gz = join(dir, `${base}.gz`);
  const raw = existsSync(gz)
    ? gunzipSync(readFileSync(gz)).toString("utf8")
    : readFileSync(join(dir, base), "utf8");
  return raw
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/**
 * `<ancestor>/shared/bench/<name>` for the nearest ancestor of the repository that has it (CI clones the repo
 * next to `shared/`; a git worktree sits deeper), or that path next to the repository when none has it.
 */
export function sharedBenchDir(repoRoot, name) {
  for (let dir = dirname(repoRoot); ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "bench", name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(dirname(repoRoot), "shared", "bench", name);
  }
}

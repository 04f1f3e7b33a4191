// Shared by the benchmark scripts: reading a BEIR-layout directory (JSON Lines, optionally gzipped).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
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

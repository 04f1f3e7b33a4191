/**
 * The light entry must not pull in CopilotKit or recharts: checked on the built bundle (what users install), by
 * following its imports through the shared chunks.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Bare module specifiers imported by a built file and the local chunks it imports, transitively. */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  const bare = new Set<string>();
  if (seen.has(file)) return bare;
  seen.add(file);
  const code = readFileSync(file, "utf8");
  for (const m of code.matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)) {
    const spec = m[1] ?? "";
    if (spec.startsWith(".")) for (const s of importsOf(join(dirname(file), spec), seen)) bare.add(s);
    else bare.add(spec);
  }
  return bare;
}

beforeAll(() => {
  // Build once if this checkout has no dist yet (CI builds before testing).
  if (!existsSync(join(root, "dist/headless.js"))) execFileSync("npx", ["tsup", "--silent"], { cwd: root });
}, 120_000);

describe("built entries", () => {
  it("the headless entry (ESM and CJS) imports neither CopilotKit nor recharts", () => {
    for (const entry of ["dist/headless.js", "dist/headless.cjs"]) {
      const imports = [...importsOf(join(root, entry))];
      expect(imports.length).toBeGreaterThan(0);
      expect(
        imports.filter((s) => /copilotkit|recharts|@ag-ui/i.test(s)),
        entry,
      ).toEqual([]);
      // Protocol values come from its zod-free entry only; its types are erased.
      expect(imports.sort()).toEqual(["@ragkit/protocol/routes", "eventsource-parser", "react"]);
    }
  });

  it("the headless entry with everything it bundles (peers excluded) is at most 15 KiB gzip, with no zod", async () => {
    const result = await build({
      entryPoints: [join(root, "dist/headless.js")],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      external: ["react", "react/*"],
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => /node_modules\/zod\//.test(path))).toEqual([]);
    expect(inputs.some((path) => /protocol\/dist\/routes\.js$/.test(path))).toBe(true);
    const gzip = gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length;
    expect(gzip).toBeGreaterThan(1024);
    expect(gzip).toBeLessThanOrEqual(15 * 1024);
  });

  it("the main entry keeps CopilotKit and recharts external (imported, not bundled)", () => {
    const imports = importsOf(join(root, "dist/index.js"));
    expect(imports.has("@copilotkit/react-core/v2")).toBe(true);
    expect(imports.has("recharts")).toBe(true);
    const code = readFileSync(join(root, "dist/index.js"), "utf8");
    expect(code).not.toMatch(/CopilotKitCore\s*=\s*class|class\s+CopilotKitCore/);
  });
});

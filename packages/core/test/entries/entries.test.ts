/**
 * The subpath entries of the built package (what users install): which third-party packages each one loads in a
 * fresh process, and that together they are the full barrel with the same classes (one shared copy).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { coldImport, packagesOf } from "../../../../scripts/lib/import-trace.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
// Literal specifiers, so the test's bundler resolves each through the package's `exports` map.
const SUBPATHS: Record<string, () => Promise<Record<string, unknown>>> = {
  store: () => import("@ragkit/core/store"),
  ingest: () => import("@ragkit/core/ingest"),
  agent: () => import("@ragkit/core/agent"),
  models: () => import("@ragkit/core/models"),
  connectors: () => import("@ragkit/core/connectors"),
};

const HEAVY = {
  langchain: /^@langchain\//,
  pdf: /^unpdf$/,
  docx: /^mammoth$/,
  // The drivers load on open(), never on import.
  pglite: /^@electric-sql\//,
  pg: /^pg$/,
};

function loaded(specifier: string): string[] {
  return packagesOf(coldImport(specifier, { cwd: root, trace: true }).modules);
}

beforeAll(() => {
  if (!existsSync(join(root, "dist/store.js"))) execFileSync("npx", ["tsup", "--silent"], { cwd: root });
}, 300_000);

describe("what each entry loads (fresh process)", () => {
  it("@ragkit/core/store loads no LangChain, no document parsers and no database driver", () => {
    const { modules } = coldImport("@ragkit/core/store", { cwd: root, trace: true });
    const packages = packagesOf(modules);
    expect(packages).toContain("zod");
    // The protocol's base schemas only, not every route's.
    expect(modules.filter((url) => /protocol\/dist\/index\.c?js$/.test(url))).toEqual([]);
    expect(modules.some((url) => /protocol\/dist\/primitives\.js$/.test(url))).toBe(true);
    for (const [what, pattern] of Object.entries(HEAVY)) {
      expect(
        packages.filter((p) => pattern.test(p)),
        what,
      ).toEqual([]);
    }
  });

  it("@ragkit/core/ingest and /connectors load the parsers but not LangChain", () => {
    for (const entry of ["@ragkit/core/ingest", "@ragkit/core/connectors"]) {
      const packages = loaded(entry);
      expect(packages, entry).toEqual(expect.arrayContaining(["unpdf", "mammoth"]));
      expect(
        packages.filter((p) => HEAVY.langchain.test(p)),
        entry,
      ).toEqual([]);
    }
  });

  it("@ragkit/core/agent loads LangGraph but no document parser", () => {
    const packages = loaded("@ragkit/core/agent");
    expect(packages).toContain("@langchain/langgraph");
    expect(packages.filter((p) => HEAVY.pdf.test(p) || HEAVY.docx.test(p))).toEqual([]);
  });

  it("the trace sees what the full barrel loads (the check above could fail)", () => {
    const packages = loaded("@ragkit/core");
    for (const pattern of [HEAVY.langchain, HEAVY.pdf, HEAVY.docx]) {
      expect(
        packages.some((p) => pattern.test(p)),
        String(pattern),
      ).toBe(true);
    }
  });
});

describe("the entries are the barrel, split", () => {
  it("ESM: every subpath export is the barrel's own value, and together they cover the barrel", async () => {
    const barrel: Record<string, unknown> = await import("@ragkit/core");
    const covered = new Set<string>();
    for (const [subpath, load] of Object.entries(SUBPATHS)) {
      const entry = await load();
      for (const [name, value] of Object.entries(entry)) {
        expect(barrel[name], `${subpath}.${name}`).toBe(value);
        covered.add(name);
      }
    }
    // Only the composition root, which needs every part, is in the barrel alone.
    expect(Object.keys(barrel).filter((name) => !covered.has(name))).toEqual(["createRagKit"]);
  });

  it("CJS: the same classes through require (one shared chunk, so instanceof holds across entries)", () => {
    const require = createRequire(join(root, "package.json"));
    const store = require("@ragkit/core/store");
    const agent = require("@ragkit/core/agent");
    const barrel = require("@ragkit/core");
    expect(store.KnowledgeStore).toBe(barrel.KnowledgeStore);
    expect(store.RagKitError).toBe(barrel.RagKitError);
    expect(agent.createRagAgent).toBe(barrel.createRagAgent);
    expect(typeof barrel.createRagKit).toBe("function");
  });
});

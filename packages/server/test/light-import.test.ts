import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "..", "src");
/** Every source file, in all feature folders. */
const files = () => readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));

describe("import cost", () => {
  it("imports @ragkit/core only as types or dynamically (no PGlite at import time)", () => {
    for (const file of files()) {
      const text = readFileSync(join(src, file), "utf8");
      for (const match of text.matchAll(/^\s*(import|export)\b[^;]*?from\s+"@ragkit\/core"/gm)) {
        expect(match[0], file).toMatch(/^\s*(import|export) type\b/);
      }
    }
    expect(readFileSync(join(src, "core.ts"), "utf8")).toContain('import("@ragkit/core")');
  });

  it("imports no Node runtime modules (the handler runs on any runtime with fetch types)", () => {
    for (const file of files()) {
      const text = readFileSync(join(src, file), "utf8");
      for (const match of text.matchAll(/^\s*import\b[^;]*?from\s+"node:[^"]+"/gm)) {
        expect(match[0], file).toMatch(/^\s*import type\b/);
      }
    }
  });
});

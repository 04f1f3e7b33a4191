/**
 * `@ragkit/protocol/routes` is what the headless client bundles: the built entry must import nothing (no zod)
 * and export the same values as the full entry.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as full from "../src/index.js";

const root = join(import.meta.dirname, "..");

beforeAll(() => {
  if (!existsSync(join(root, "dist/routes.js"))) execFileSync("npx", ["tsup", "--silent"], { cwd: root });
}, 120_000);

describe("@ragkit/protocol/routes", () => {
  it("the built ESM and CJS files import no module at all", () => {
    for (const file of ["dist/routes.js", "dist/routes.cjs"]) {
      const code = readFileSync(join(root, file), "utf8");
      expect(code.match(/\b(?:from\s*["']|import\(|require\()[^)"']*/g) ?? [], file).toEqual([]);
      expect(code, file).not.toMatch(/zod/);
    }
  });

  it("exports the full entry's route table and header name", async () => {
    const light = await import("@ragkit/protocol/routes");
    expect(light.REQUEST_ID_HEADER).toBe(full.REQUEST_ID_HEADER);
    expect(light.routeTable).toEqual(full.routeTable);
    expect(light.pathTo("getDocument", { id: "a/b" })).toBe(full.pathTo("getDocument", { id: "a/b" }));
    expect(light.pathTo("search")).toBe("/search");
  });
});

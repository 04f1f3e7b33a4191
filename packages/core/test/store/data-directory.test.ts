import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { DataDirectoryError, prepareDataDirectory } from "../../src/store/open-driver.js";
import { createTenantContext } from "../../src/tenant/context.js";

const root = mkdtempSync(join(tmpdir(), "ragkit-datadir-"));
afterAll(() => {
  chmodSync(root, 0o700);
  rmSync(root, { recursive: true, force: true });
});

describe("KnowledgeStore.open({ database: <directory> })", () => {
  it("creates missing parents at any depth (a fresh checkout has no .ragkit/) and persists there", async () => {
    const dir = join(root, "fresh", ".ragkit", "deeper", "demo");
    expect(existsSync(join(root, "fresh"))).toBe(false);
    const ctx = createTenantContext({ tenantId: "acme", userId: "u", source: "test" });
    const store = await KnowledgeStore.open({ database: dir });
    await store.ensureTenant(ctx);
    await store.close();
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
    // Reopened through a file:// URL: the same data, no re-initialisation.
    const again = await KnowledgeStore.open({ database: pathToFileURL(dir).href });
    expect((await again.listDocuments(ctx)).documents).toEqual([]);
    await again.close();
  }, 60_000);

  it("a file in the path is a typed ConfigError naming the path, before PGlite starts", async () => {
    const file = join(root, "a-file");
    writeFileSync(file, "not a directory");
    for (const dir of [file, join(file, "below", "demo")]) {
      const error = await KnowledgeStore.open({ database: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirectoryError);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: "config_error", path: dir, reason: "not_a_directory" });
      expect((error as Error).message).toContain(dir);
    }
  });

  it("a directory this process may not write is a typed ConfigError", async () => {
    const locked = join(root, "locked");
    await prepareDataDirectory(locked);
    chmodSync(root, 0o755);
    chmodSync(locked, 0o555);
    // Root may write anywhere: the check then runs in a child process as "nobody" (uid 65534).
    const asNobody = process.getuid?.() === 0;
    const results = asNobody
      ? await checkInChild(locked, 65534)
      : await Promise.all(
          [locked, join(locked, "demo")].map((dir) =>
            prepareDataDirectory(dir).then(
              () => null,
              (e: DataDirectoryError) => ({ name: e.name, reason: e.reason, path: e.path, code: e.code }),
            ),
          ),
        );
    expect(results).toEqual([
      { name: "DataDirectoryError", reason: "not_writable", path: locked, code: "config_error" },
      {
        name: "DataDirectoryError",
        reason: "not_writable",
        path: join(locked, "demo"),
        code: "config_error",
      },
    ]);
  });
});

/** Runs `prepareDataDirectory` (bundled from the source with esbuild) as another user. */
async function checkInChild(locked: string, uid: number): Promise<unknown> {
  const { build } = await import("esbuild");
  const bundle = join(root, "open-driver.mjs");
  await build({
    entryPoints: [join(import.meta.dirname, "..", "..", "src", "store", "open-driver.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile: bundle,
    logLevel: "silent",
  });
  chmodSync(bundle, 0o644);
  const script = `
    const { prepareDataDirectory } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const out = [];
    for (const dir of ${JSON.stringify([locked, join(locked, "demo")])}) {
      out.push(await prepareDataDirectory(dir).then(() => null, (e) => ({ name: e.name, reason: e.reason, path: e.path, code: e.code })));
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    uid,
    gid: uid,
    cwd: join(import.meta.dirname, ".."),
    timeout: 30_000,
  });
  return JSON.parse(stdout) as unknown;
}

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "..", "dist", "cli.js");
const fixtures = join(import.meta.dirname, "..", "fixtures");
const dir = mkdtempSync(join(tmpdir(), "ragkit-cli-"));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8", timeout: 120_000 });

describe("ragkit CLI (built bin)", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("ingests files as durable jobs, reports failures per file, and searches with citations", {
    timeout: 300_000,
  }, () => {
    if (!existsSync(cli))
      throw new Error("Run `npm run build` first: this test runs the built `ragkit` bin.");
    const ingest = run(
      "ingest",
      join(fixtures, "sample.pdf"),
      join(fixtures, "sample.md"),
      join(fixtures, "corrupt.pdf"),
      "--tenant",
      "acme",
      "--json",
    );
    expect(ingest.status).toBe(1); // one file failed
    const summary = JSON.parse(ingest.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({ documents: 2, created: 2, unchanged: 0 });
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].file).toMatch(/corrupt\.pdf$/);
    expect(summary.failed[0].error).toMatch(/PDF/);
    expect(summary.chunks).toBeGreaterThan(2);

    const again = run("ingest", join(fixtures, "sample.md"), "--tenant", "acme", "--json");
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout.trim().split("\n").at(-1)!)).toMatchObject({ documents: 1, unchanged: 1 });

    const search = run("search", "page two", "--tenant", "acme", "--json", "-k", "3");
    expect(search.status).toBe(0);
    const hits = JSON.parse(search.stdout);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.some((h: { pageNumber: number | null }) => h.pageNumber !== null)).toBe(true);

    const human = run("search", "page", "--tenant", "acme", "-k", "1");
    expect(human.stdout).toMatch(/^\[1\] .*chars \d+–\d+/m);

    const other = run("search", "page", "--tenant", "globex");
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/unknown_tenant/);

    const bad = run("search", "x", "--tenant", "acme", "-k", "0");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--top-k must be a positive integer/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { setupTestPostgres, type TestPostgres } from "../../../../scripts/lib/postgres.mjs";

/**
 * A fresh PGlite costs 4–8 s (initdb); loading a dumped data directory costs ~2 s. Build one empty template
 * per test run and let every test file start from it.
 *
 * Real Postgres (the `postgres` driver kind): the server named by RAGKIT_TEST_POSTGRES, or one started here
 * with the shared postgres-pgvector.sh (and stopped at the end); a template database with `vector` and the
 * runtime login are prepared once, each test file then clones its own database.
 */
export default async function setup(project: TestProject) {
  const [pgliteTemplate, postgres] = await Promise.all([pgliteTemplateDump(), setupTestPostgres("core")]);
  project.provide("pgliteTemplate", pgliteTemplate.path);
  project.provide("postgres", postgres.info);
  if (!postgres.info) console.warn(`[ragkit] real Postgres is not part of this run: ${postgres.reason}`);
  return async () => {
    rmSync(pgliteTemplate.dir, { recursive: true, force: true });
    await postgres.teardown();
  };
}

async function pgliteTemplateDump(): Promise<{ dir: string; path: string }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
  const dump = await db.dumpDataDir("gzip");
  await db.close();
  const dir = mkdtempSync(join(tmpdir(), "ragkit-template-"));
  const path = join(dir, "template.tar.gz");
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  return { dir, path };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgres: TestPostgres | null;
  }
}

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

/**
 * A fresh PGlite costs 4–8 s (initdb); loading a dumped data directory costs ~2 s. Build one empty template
 * per test run and let every test file start from it.
 */
export default async function setup(project: TestProject) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
  const dump = await db.dumpDataDir("gzip");
  await db.close();
  const dir = mkdtempSync(join(tmpdir(), "ragkit-template-"));
  const path = join(dir, "template.tar.gz");
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteTemplate", path);
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

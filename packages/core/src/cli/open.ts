import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { KnowledgeStore } from "../store/knowledge-store.js";

/** Default database of the CLI: a PGlite directory in the current folder, so ingest and search share it. */
export const DEFAULT_DB = ".ragkit/data";

export async function openCliStore(db: string | undefined): Promise<KnowledgeStore> {
  const database = db ?? DEFAULT_DB;
  if (!/^postgres(ql)?:\/\//i.test(database) && database !== "memory://") {
    mkdirSync(resolve(database.replace(/^file:\/\//, "")), { recursive: true });
  }
  return KnowledgeStore.open({ database });
}

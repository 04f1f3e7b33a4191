import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { RagKit, RagKitOptions } from "../kit/create.js";
import { KnowledgeStore } from "../store/knowledge-store.js";

/** Default database of the CLI: a PGlite directory in the current folder, so ingest and search share it. */
export const DEFAULT_DB = ".ragkit/data";

function cliDatabase(db: string | undefined): string {
  const database = db ?? DEFAULT_DB;
  if (!/^postgres(ql)?:\/\//i.test(database) && database !== "memory://") {
    mkdirSync(resolve(database.replace(/^file:\/\//, "")), { recursive: true });
  }
  return database;
}

/** The store alone, for commands that only read it (`search`): no queue, no agent, no LangChain. */
export async function openCliStore(db: string | undefined): Promise<KnowledgeStore> {
  return KnowledgeStore.open({ database: cliDatabase(db) });
}

/**
 * The store with its ingestion queue and connectors (`ingest`, `worker`, `connectors …`), from the composition
 * root. Imported on demand: the kit loads the whole engine, which `search` and `--help` do not need.
 */
export async function openCliKit(
  db: string | undefined,
  options: Pick<RagKitOptions, "ingestion" | "connectors"> = {},
): Promise<RagKit> {
  const { createRagKit } = await import("../kit/create.js");
  return createRagKit({ ...options, database: cliDatabase(db) });
}

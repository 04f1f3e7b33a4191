import { initialMigration } from "./001-initial.js";
import { jobsMigration } from "./002-jobs.js";
import { checkpointsMigration } from "./003-checkpoints.js";
import { sqlToolMigration } from "./004-sql-tool.js";
import type { Migration } from "./types.js";

/** Ordered, append-only. Never edit a released migration: add a new one. */
export const migrations: readonly Migration[] = [
  initialMigration,
  jobsMigration,
  checkpointsMigration,
  sqlToolMigration,
];

export { runMigrations } from "./runner.js";
export type { Migration, MigrationContext } from "./types.js";

import { initialMigration } from "./001-initial.js";
import { jobsMigration } from "./002-jobs.js";
import { checkpointsMigration } from "./003-checkpoints.js";
import { sqlToolMigration } from "./004-sql-tool.js";
import { runsMigration } from "./005-runs.js";
import { agentUsageMigration } from "./006-agent-usage.js";
import { connectorsMigration } from "./007-connectors.js";
import { rateLimitsMigration } from "./008-rate-limits.js";
import { sqlToolScopeMigration } from "./009-sql-tool-scope.js";
import { oneRunningRunMigration } from "./010-one-running-run.js";
import { sqlDatasetsMigration } from "./011-sql-datasets.js";
import { tenantLocalIdsMigration } from "./013-tenant-local-ids.js";
import type { Migration } from "./types.js";

/** Append-only (sorted by version, so parallel branches may register theirs in any order). Never edit a released migration: add a new one. */
export const migrations: readonly Migration[] = [
  initialMigration,
  jobsMigration,
  checkpointsMigration,
  sqlToolMigration,
  agentUsageMigration,
  runsMigration,
  rateLimitsMigration,
  connectorsMigration,
  sqlToolScopeMigration,
  oneRunningRunMigration,
  sqlDatasetsMigration,
  tenantLocalIdsMigration,
].sort((a, b) => a.version - b.version);

export { runMigrations } from "./runner.js";
export type { Migration, MigrationContext } from "./types.js";

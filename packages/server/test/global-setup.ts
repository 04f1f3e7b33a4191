import type { TestProject } from "vitest/node";
import { setupTestPostgres } from "../../../scripts/lib/postgres.mjs";

/** The `postgres` project: the server named by RAGKIT_TEST_POSTGRES, or one started (and stopped) here. */
export default async function setup(project: TestProject) {
  const postgres = await setupTestPostgres("server");
  if (!postgres.info) throw new Error(`the postgres project needs real Postgres: ${postgres.reason}`);
  project.provide("postgres", postgres.info);
  return () => postgres.teardown();
}

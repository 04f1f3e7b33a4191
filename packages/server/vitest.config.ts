import { defineConfig } from "vitest/config";
import { postgresAvailability, postgresRequired } from "../../scripts/lib/postgres.mjs";

/** Suites whose behaviour depends on the database: they run again on real Postgres (test/store.ts). */
const databaseSuites = [
  "test/handler.test.ts",
  "test/documents.test.ts",
  "test/cors-and-limits.test.ts",
  "test/connectors.test.ts",
  "test/datasets.test.ts",
  "test/chat/**/*.test.ts",
  "test/threads/**/*.test.ts",
  "test/agui/**/*.test.ts",
  "test/security/**/*.test.ts",
];
/** Several replicas writing at once: only meaningful where sessions really overlap. */
const serverOnlySuites = ["test/replicas/**/*.test.ts"];

const postgres = postgresAvailability();
if (!postgres.available && postgresRequired()) {
  throw new Error(`RAGKIT_REQUIRE_POSTGRES=1 but real Postgres is not available: ${postgres.reason}`);
}
if (!postgres.available) console.warn(`[ragkit] server suites skip real Postgres: ${postgres.reason}`);

export default defineConfig({
  test: {
    // PGlite instances cost seconds to start and ~230 MB each; two forks match the 2-core CI machine.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "pglite",
          include: ["test/**/*.test.ts", "src/**/*.test.ts"],
          exclude: serverOnlySuites,
          provide: { storeKind: "pglite", postgres: null },
        },
      },
      ...(postgres.available
        ? [
            {
              extends: true as const,
              test: {
                name: "postgres",
                include: [...databaseSuites, ...serverOnlySuites],
                globalSetup: ["test/global-setup.ts"],
                provide: { storeKind: "postgres" as const },
              },
            },
          ]
        : []),
    ],
  },
});

import { defineConfig } from "vitest/config";

// Browser end-to-end tests: one demo server, one Chromium, the steps in order (each builds on the last).
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["**/*.e2e.test.mjs"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests drive the client against the real server handler; use its source so no build order is needed.
    alias: { "@ragkit/server": fileURLToPath(new URL("../server/src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx", "src/**/*.test.ts"],
    // Component and hook tests opt into jsdom per file; client tests run in node with a real store.
    environment: "node",
    // PGlite instances cost seconds to start and ~230 MB each; two forks match the 2-core CI machine.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests drive the client against the real server handler; use its source so no build order is needed.
    // Core and protocol from source too: other packages rebuild their dist concurrently, and tests must not race it.
    // Subpaths before their package: an alias is a prefix match ("@ragkit/protocol/x" would become "index.ts/x").
    alias: {
      // Stories import the package by name; test the source, not a possibly stale dist.
      "@ragkit/react/headless": fileURLToPath(new URL("./src/headless.ts", import.meta.url)),
      "@ragkit/react": fileURLToPath(new URL("./src/index.ts", import.meta.url)),
      "@ragkit/server": fileURLToPath(new URL("../server/src/index.ts", import.meta.url)),
      "@ragkit/core": fileURLToPath(new URL("../core/src/index.ts", import.meta.url)),
      "@ragkit/protocol/routes": fileURLToPath(new URL("../protocol/src/light.ts", import.meta.url)),
      "@ragkit/protocol/primitives": fileURLToPath(new URL("../protocol/src/primitives.ts", import.meta.url)),
      "@ragkit/protocol": fileURLToPath(new URL("../protocol/src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx", "src/**/*.test.ts"],
    // Component and hook tests opt into jsdom per file; client tests run in node with a real store.
    environment: "node",
    // CopilotKit's v2 entry imports its own CSS; inlining it lets Vite handle the .css import (Node cannot).
    server: { deps: { inline: [/@copilotkit\//] } },
    // PGlite instances cost seconds to start and ~230 MB each; two forks match the 2-core CI machine.
    pool: "forks",
    maxWorkers: 2,
    setupFiles: ["test/hang-guards.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

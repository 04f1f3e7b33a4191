import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The full barrel and the subpath entries (`@ragkit/core/store` …): each entry loads only its own modules.
    entry: {
      index: "src/index.ts",
      store: "src/entries/store.ts",
      ingest: "src/entries/ingest.ts",
      agent: "src/entries/agent.ts",
      models: "src/entries/models.ts",
      connectors: "src/entries/connectors.ts",
    },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    // Shared chunks, so every entry sees the same classes (a KnowledgeStore from `/store` passes `instanceof`
    // in `/agent`) and a module is evaluated once however many entries import it.
    splitting: true,
    treeshake: true,
  },
  {
    // The `ragkit` command: ESM only, with a shebang.
    entry: { cli: "src/bin.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import("next").NextConfig} */
export default {
  // The store runs PGlite (WASM + data files) and pg: load them from node_modules at runtime, never bundle them.
  serverExternalPackages: ["@ragkit/core", "@electric-sql/pglite", "@electric-sql/pglite-pgvector", "pg"],
  // A monorepo: the workspace packages live above this folder.
  turbopack: { root: join(here, "..", "..") },
  outputFileTracingRoot: join(here, "..", ".."),
};

import { defineConfig } from "tsup";

export default defineConfig({
  // `routes`: the zod-free values (route table, header names) for light clients.
  entry: { index: "src/index.ts", routes: "src/light.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  splitting: false,
  treeshake: true,
});

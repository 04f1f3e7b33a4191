import { defineConfig } from "tsup";

export default defineConfig({
  // `routes`: the zod-free values (route table, header names) for light clients; `primitives`: the base schemas
  // alone, for the store entry of @ragkit/core.
  entry: { index: "src/index.ts", routes: "src/light.ts", primitives: "src/primitives.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  splitting: false,
  treeshake: true,
});

import { defineConfig } from "tsup";

export default defineConfig({
  // "headless" is the light entry (client + hooks, no UI kit); "index" adds components.
  entry: { index: "src/index.ts", headless: "src/headless.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  // Shared code lives in one chunk so both entries see the same classes (instanceof RagKitClientError holds).
  splitting: true,
  treeshake: true,
  // Peers stay external: the host app brings them (and the headless entry imports neither CopilotKit nor recharts).
  external: ["react", "react-dom", "@copilotkit/react-core", "@copilotkit/react-core/v2", "recharts"],
});

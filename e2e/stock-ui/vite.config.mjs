import { join } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Host pages that use only CopilotKit's own packages (v1 and v2 chat), for the browser tests against
// @ragkit/server. Built into a temporary directory by e2e/stock-ui.e2e.test.mjs.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  logLevel: "warn",
  build: {
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    rollupOptions: {
      input: { v1: join(import.meta.dirname, "v1.html"), v2: join(import.meta.dirname, "v2.html") },
    },
  },
});

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built by `npm run demo` into web/dist and served by ../server.mjs on the same port as the API.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { proxy: { "/api": "http://127.0.0.1:5180", "/demo": "http://127.0.0.1:5180" } },
});

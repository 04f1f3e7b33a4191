import { fileURLToPath } from "node:url";
import type { StorybookConfig } from "@storybook/react-vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The RagKit component catalogue: stories in /stories, the backend mocked by msw replaying recorded events. */
const config: StorybookConfig = {
  stories: ["../stories/**/*.stories.@(ts|tsx)"],
  framework: { name: "@storybook/react-vite", options: {} },
  // msw's service worker, served from the installed msw (always the version the handlers run with; nothing vendored).
  staticDirs: [{ from: "../node_modules/msw/lib/mockServiceWorker.js", to: "/mockServiceWorker.js" }],
  core: { disableTelemetry: true },
  async viteFinal(vite) {
    vite.resolve ??= {};
    // Components from source (no package build needed); protocol from source too so schemas are always current.
    vite.resolve.alias = [
      ...(Array.isArray(vite.resolve.alias) ? vite.resolve.alias : []),
      { find: /^@ragkit\/react$/, replacement: here("../packages/react/src/index.ts") },
      { find: /^@ragkit\/react\/headless$/, replacement: here("../packages/react/src/headless.ts") },
      { find: /^@ragkit\/protocol$/, replacement: here("../packages/protocol/src/index.ts") },
    ];
    return vite;
  },
};

export default config;

// CopilotKit's v2 entry imports this itself, but Vite 8's production build drops that side-effect import from the
// package; an explicit import keeps the chat styled (host apps: see docs/react.md#styles).
import "@copilotkit/react-core/v2/styles.css";
import type { Preview } from "@storybook/react-vite";
import { initialize, mswLoader } from "msw-storybook-addon";
import { backendHandlers } from "../stories/support/backend";
import { frame } from "./decorators";

// Requests no story handles go to the network as usual (Storybook's own assets).
initialize({ onUnhandledRequest: "bypass", quiet: true });

const preview: Preview = {
  decorators: [frame],
  loaders: [mswLoader],
  parameters: {
    layout: "padded",
    // Default backend: the recorded replay with a little delay so streaming is visible.
    msw: { handlers: backendHandlers({ frameDelayMs: 40 }) },
    controls: { expanded: true },
  },
};

export default preview;

/**
 * Every Storybook story runs here as a test (portable stories): rendered, its play function executed, against a
 * real HTTP server on 127.0.0.1 that replays the recorded server sequences with the story's backend options.
 * Fast enough for CI (no Storybook build). jsdom globals on Node: see dom-in-node.ts.
 */
import "./dom-in-node.js";
import { composeStories, setProjectAnnotations } from "@storybook/react-vite";
import { cleanup } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { frame } from "../../../.storybook/decorators.js";
import * as agentState from "../../../stories/AgentStateDisplay.stories.js";
import * as approval from "../../../stories/ApprovalCard.stories.js";
import * as citations from "../../../stories/Citations.stories.js";
import * as dataViz from "../../../stories/DataVisualization.stories.js";
import * as documentList from "../../../stories/DocumentList.stories.js";
import * as documentUpload from "../../../stories/DocumentUpload.stories.js";
import { createReplayHandler, type ReplayOptions } from "../../../stories/mocks/replay.js";
import * as ragChat from "../../../stories/RagChat.stories.js";
import * as streaming from "../../../stories/StreamingResponse.stories.js";
import { type Served, serveHandler } from "./http.js";

setProjectAnnotations([{ decorators: [frame] }]);

/** What the test needs of a composed story. */
interface ComposedStory {
  parameters: Record<string, unknown>;
  run(): Promise<void>;
}

let served: Served;
let replay = createReplayHandler();

beforeAll(async () => {
  served = await serveHandler((request) => replay(request));
  (globalThis as { __RAGKIT_API__?: string }).__RAGKIT_API__ = `${served.url}/api/rag`;
});
afterAll(async () => {
  await served?.close();
});
afterEach(() => {
  cleanup();
  document.body.innerHTML = "";
});

const modules = {
  agentState,
  citations,
  dataViz,
  approval,
  documentUpload,
  documentList,
  ragChat,
  streaming,
};

for (const [name, mod] of Object.entries(modules)) {
  describe(name, () => {
    const stories = composeStories(mod as Parameters<typeof composeStories>[0]) as Record<
      string,
      ComposedStory
    >;
    for (const [storyName, Story] of Object.entries(stories)) {
      it(storyName, async () => {
        // Stories stream with delays for humans; tests replay without them (except the deliberate "hang"/"slow" ones).
        const options = (Story.parameters.replay ?? {}) as ReplayOptions;
        replay = createReplayHandler({ ...options, frameDelayMs: 0 });
        const errors = vi.spyOn(console, "error");
        await Story.run();
        if (!Story.parameters.rendersNothing)
          expect(document.body.textContent?.length ?? 0).toBeGreaterThan(0);
        // React reports render errors and bad props through console.error.
        const reactErrors = errors.mock.calls.filter((c) => /Warning|Error:|React/.test(String(c[0])));
        errors.mockRestore();
        expect(reactErrors).toEqual([]);
      });
    }
  });
}

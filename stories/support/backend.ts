import { http } from "msw";
import { createReplayHandler, type ReplayOptions } from "../mocks/replay";

/**
 * Where stories find the API. Storybook: "/api/rag" on its own origin, answered by msw's service worker. The
 * portable-stories tests set `globalThis.__RAGKIT_API__` to a real replay server on 127.0.0.1.
 */
export function apiBase(): string {
  return (globalThis as { __RAGKIT_API__?: string }).__RAGKIT_API__ ?? "/api/rag";
}

/** msw handlers replaying recorded server sequences (see stories/mocks/replay.ts). */
export function backendHandlers(options: Omit<ReplayOptions, "onRequest"> = {}) {
  const replay = createReplayHandler(options);
  return [http.all("*/api/rag/*", ({ request }) => replay(request))];
}

/** Story parameters for a backend variant: msw handlers for Storybook, replay options for the tests. */
export function backend(options: Omit<ReplayOptions, "onRequest"> = {}) {
  return { msw: { handlers: backendHandlers({ frameDelayMs: 40, ...options }) }, replay: options };
}

/**
 * A DOM for hook tests that must run in the node environment: the real server (PGlite, LangGraph's checkpointer)
 * breaks under vitest's jsdom environment, which swaps realm globals (TextEncoder, AbortSignal) the server relies on.
 * Only DOM names Node lacks are installed, so Node's fetch, streams and typed arrays stay Node's.
 */
import { JSDOM } from "jsdom";
import { configureHangGuards } from "./hang-guards.js";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: "http://localhost/" });
const g = globalThis as Record<string, unknown>;
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (key in g || key.startsWith("_")) continue;
  try {
    g[key] = (dom.window as unknown as Record<string, unknown>)[key];
  } catch {
    // some window accessors throw outside a browsing context; they are not needed
  }
}
g.window = dom.window;
g.document = dom.window.document;
g.IS_REACT_ACT_ENVIRONMENT = true;

// Layout APIs jsdom does not implement (it does no layout); CopilotKit's chat calls them. Inert versions suffice.
class InertObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
  takeRecords(): [] {
    return [];
  }
}
g.ResizeObserver ??= InertObserver;
g.IntersectionObserver ??= InertObserver;
const win = dom.window as unknown as Record<string, unknown>;
win.ResizeObserver ??= InertObserver;
win.IntersectionObserver ??= InertObserver;
win.matchMedia ??= (query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addListener() {},
  removeListener() {},
  addEventListener() {},
  removeEventListener() {},
  dispatchEvent: () => false,
});
g.matchMedia ??= win.matchMedia;
const proto = dom.window.HTMLElement.prototype as unknown as Record<string, unknown>;
proto.scrollTo ??= () => {};
proto.scrollIntoView ??= () => {};

await configureHangGuards();

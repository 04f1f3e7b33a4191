/**
 * Server rendering of the widget and components (plain Node, no DOM): no fetch during the render, no warnings;
 * then hydration of that HTML in a DOM without a hydration mismatch.
 */
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./ssr-app.js";

afterEach(() => vi.restoreAllMocks());

describe("server rendering of the widget", () => {
  it("renders the provider, chat and components without fetching or warnings", () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const error = vi.spyOn(console, "error");
    const warn = vi.spyOn(console, "warn");
    const html = renderToString(<App baseUrl="http://127.0.0.1:9/api/rag" />);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(html).toContain('class="rk-root rk-dark dark"');
    expect(html).toContain("ragkit-react-styles");
    expect(html).toContain('role="progressbar"');
    expect(html).toContain("Supported by the sources");
    expect(html).toContain("Approval needed");
    // The chat frame renders; the conversation itself mounts after hydration (its thread comes from storage).
    expect(html).toContain('aria-busy="true"');
  });
});

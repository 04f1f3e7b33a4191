import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SearchResults } from "../src/index.js";

afterEach(() => vi.restoreAllMocks());

describe("server rendering", () => {
  it("renders <SearchResults> to HTML without warnings", () => {
    const error = vi.spyOn(console, "error");
    const warn = vi.spyOn(console, "warn");
    const html = renderToString(
      <SearchResults
        onSelect={() => {}}
        results={[
          {
            chunkId: "c1",
            documentId: "d1",
            documentTitle: "Handbook <b>",
            source: "upload",
            sourceUrl: null,
            text: "Leave is 25 days.",
            chunkIndex: 0,
            start: 0,
            end: 17,
            pageNumber: 2,
            sectionTitle: "Leave",
            metadata: {},
            score: 1,
            scores: {},
          },
        ]}
      />,
    );
    expect(html).toMatch(/^<ol class="ragkit-search-results" aria-label="Search results">/);
    expect(html).toContain('data-document-id="d1"');
    expect(html).toContain("Handbook &lt;b&gt;");
    expect(html).toContain("Page 2 · Leave");
    expect(html).toContain('<button type="button"');
    expect(error).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });

  it("headless entry imports without a DOM", async () => {
    const headless = await import("../src/headless.js");
    expect(Object.keys(headless).sort()).toEqual([
      "RagKitClient",
      "RagKitClientError",
      "applyChatEvent",
      "initialRunState",
      "isAbortError",
      "isTerminal",
      "newThreadId",
      "pathTo",
      "readSse",
      "toAgentView",
      "useAgentState",
      "useDocuments",
      "useJobs",
      "useRagSearch",
      "useStreamingResponse",
      "useThreads",
    ]);
  });
});

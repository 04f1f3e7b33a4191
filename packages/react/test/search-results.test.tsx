// @vitest-environment jsdom
import type { SearchResult } from "@ragkit/protocol";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatCitation, SearchResults, snippetOf } from "../src/index.js";

afterEach(cleanup);

const base: SearchResult = {
  chunkId: "c1",
  documentId: "d1",
  documentTitle: "Employee handbook",
  source: "upload",
  sourceUrl: null,
  text: "Employees   get twenty five\ndays of paid leave per year.",
  chunkIndex: 0,
  start: 0,
  end: 56,
  pageNumber: 12,
  sectionTitle: "Leave",
  metadata: {},
  score: 0.9,
  scores: {},
};

const results: SearchResult[] = [
  base,
  {
    ...base,
    chunkId: "c2",
    documentId: "d2",
    documentTitle: null,
    pageNumber: null,
    sectionTitle: "FAQ",
    text: "x".repeat(500),
  },
  {
    ...base,
    chunkId: "c3",
    documentId: "d3",
    documentTitle: "Slides",
    pageNumber: null,
    sectionTitle: null,
    text: "Short.",
  },
];

describe("<SearchResults>", () => {
  it("renders an ordered list with title, citation and snippet per result", () => {
    render(<SearchResults results={results} />);
    const list = screen.getByRole("list", { name: "Search results" });
    expect(list.tagName).toBe("OL");
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(3);
    expect(items[0]!.textContent).toBe(
      "Employee handbookPage 12 · LeaveEmployees get twenty five days of paid leave per year.",
    );
    expect(items[0]!.dataset.documentId).toBe("d1");
    expect(within(items[1]!).getByText("Untitled document")).toBeTruthy();
    expect(within(items[1]!).getByText("FAQ")).toBeTruthy();
    expect(items[1]!.querySelector(".ragkit-search-result__snippet")!.textContent).toHaveLength(241);
    expect(items[2]!.querySelector(".ragkit-search-result__citation")).toBeNull();
    expect(screen.queryAllByRole("button")).toHaveLength(0);
  });

  it("makes results buttons named by their title when onSelect is given", () => {
    const onSelect = vi.fn();
    render(<SearchResults results={results} onSelect={onSelect} label="Answers" className="mine" />);
    const list = screen.getByRole("list", { name: "Answers" });
    expect(list.className).toBe("ragkit-search-results mine");
    const button = screen.getByRole("button", { name: "Employee handbook" });
    expect(button.getAttribute("type")).toBe("button");
    const describedBy = (button.getAttribute("aria-describedby") ?? "").split(" ");
    expect(describedBy.map((id) => document.getElementById(id)?.textContent)).toEqual([
      "Page 12 · Leave",
      "Employees get twenty five days of paid leave per year.",
    ]);
    fireEvent.click(screen.getByRole("button", { name: "Slides" }));
    expect(onSelect).toHaveBeenCalledWith(results[2], 2);
  });

  it("shows an empty message, or nothing", () => {
    const { rerender, container } = render(<SearchResults results={[]} />);
    expect(screen.getByText("No results.")).toBeTruthy();
    expect(screen.queryByRole("list")).toBeNull();
    rerender(<SearchResults results={[]} emptyMessage="Nothing found for that." />);
    expect(screen.getByText("Nothing found for that.")).toBeTruthy();
    rerender(<SearchResults results={[]} emptyMessage={null} />);
    expect(container.innerHTML).toBe("");
  });
});

describe("helpers", () => {
  it("formatCitation", () => {
    expect(formatCitation({ pageNumber: 3, sectionTitle: "Intro" })).toBe("Page 3 · Intro");
    expect(formatCitation({ pageNumber: null, sectionTitle: "Intro" })).toBe("Intro");
    expect(formatCitation({ pageNumber: 3, sectionTitle: null })).toBe("Page 3");
    expect(formatCitation({ pageNumber: null, sectionTitle: "" })).toBe("");
  });

  it("snippetOf", () => {
    expect(snippetOf("  a \n b  ", 10)).toBe("a b");
    expect(snippetOf("one two three four five", 16)).toBe("one two three…");
    expect(snippetOf("one two thre", 12)).toBe("one two thre");
    expect(snippetOf("abcdefghijklmnop", 5)).toBe("abcde…");
  });
});

import { describe, expect, test } from "vitest";
import { annotatePages, annotateSection, pageStartsWithin } from "../../src/ingest/chunking/annotate.js";

describe("page and section annotation", () => {
  const pages = [
    { pageNumber: 1, start: 0, end: 100 },
    { pageNumber: 2, start: 110, end: 200 }, // 100..110 belongs to no page (e.g. a page-break marker)
    { pageNumber: 3, start: 200, end: 300 },
  ];

  test("page of the chunk start, and all pages the chunk overlaps", () => {
    expect(annotatePages(pages, 10, 50)).toEqual({ pageNumber: 1, pageNumbers: [1] });
    expect(annotatePages(pages, 90, 250)).toEqual({ pageNumber: 1, pageNumbers: [1, 2, 3] });
    expect(annotatePages(pages, 199, 201)).toEqual({ pageNumber: 2, pageNumbers: [2, 3] });
  });

  test("a chunk starting between pages gets the first page it overlaps; no pages gives null", () => {
    expect(annotatePages(pages, 104, 150)).toEqual({ pageNumber: 2, pageNumbers: [2] });
    expect(annotatePages(pages, 400, 450)).toEqual({ pageNumber: null, pageNumbers: [] });
    expect(annotatePages([], 0, 10)).toEqual({ pageNumber: null, pageNumbers: [] });
  });

  test("innermost section containing the start, with the outermost-first breadcrumb", () => {
    const sections = [
      { title: "Guide", level: 1, start: 0, end: 500 },
      { title: "Install", level: 2, start: 50, end: 300 },
      { title: "Linux", level: 3, start: 100, end: 200 },
      { title: "Usage", level: 2, start: 300, end: 500 },
      { title: "Appendix", level: 1, start: 500, end: 600 },
    ];
    expect(annotateSection(sections, 150)).toEqual({
      sectionTitle: "Linux",
      sectionPath: ["Guide", "Install", "Linux"],
    });
    expect(annotateSection(sections, 250)).toEqual({
      sectionTitle: "Install",
      sectionPath: ["Guide", "Install"],
    });
    expect(annotateSection(sections, 300)).toEqual({
      sectionTitle: "Usage",
      sectionPath: ["Guide", "Usage"],
    });
    expect(annotateSection(sections, 550)).toEqual({ sectionTitle: "Appendix", sectionPath: ["Appendix"] });
    expect(annotateSection(sections, 650)).toEqual({ sectionTitle: null, sectionPath: [] });
  });
});

describe("pageStartsWithin", () => {
  const pages = [
    { pageNumber: 1, start: 0, end: 100 },
    { pageNumber: 2, start: 102, end: 200 },
    { pageNumber: 3, start: 202, end: 300 },
  ];
  test("lists the pages that begin inside a chunk, with their document offsets", () => {
    expect(pageStartsWithin(pages, 50, 250)).toEqual([
      [102, 2],
      [202, 3],
    ]);
    expect(pageStartsWithin(pages, 102, 150)).toEqual([]); // starts exactly on a page: nothing later
  });
});

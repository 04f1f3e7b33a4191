import type { PageSpan, SectionSpan } from "../types.js";

export interface PageAnnotation {
  /** The page containing the chunk's first character (or, if that lies between pages, the first page it overlaps). */
  pageNumber: number | null;
  /** Every page the chunk overlaps, ascending. */
  pageNumbers: number[];
}

/**
 * Where each later page begins inside a chunk that spans pages: `[documentOffset, pageNumber]` pairs, so a
 * citation of a sentence inside the chunk can name the sentence's own page, not the chunk's first one.
 */
export function pageStartsWithin(
  pages: readonly PageSpan[],
  start: number,
  end: number,
): Array<[number, number]> {
  return pages
    .filter((page) => page.start > start && page.start < end)
    .sort((a, b) => a.start - b.start)
    .map((page) => [page.start, page.pageNumber]);
}

export function annotatePages(pages: readonly PageSpan[], start: number, end: number): PageAnnotation {
  let containing: PageSpan | undefined;
  let firstOverlapping: PageSpan | undefined;
  const overlapping = new Set<number>();
  for (const page of pages) {
    if (containing === undefined && page.start <= start && start < page.end) containing = page;
    if (page.start < end && start < page.end) {
      overlapping.add(page.pageNumber);
      if (firstOverlapping === undefined || page.start < firstOverlapping.start) firstOverlapping = page;
    }
  }
  return {
    pageNumber: (containing ?? firstOverlapping)?.pageNumber ?? null,
    pageNumbers: [...overlapping].sort((a, b) => a - b),
  };
}

export interface SectionAnnotation {
  /** Title of the innermost section containing the chunk start. */
  sectionTitle: string | null;
  /** Titles of all sections containing the chunk start, outermost first ("Guide" › "Install" › "Linux"). */
  sectionPath: string[];
}

export function annotateSection(sections: readonly SectionSpan[], offset: number): SectionAnnotation {
  const containing = sections
    .filter((section) => section.start <= offset && offset < section.end)
    .sort((a, b) => a.level - b.level || a.start - b.start);
  const sectionPath = containing.map((section) => section.title);
  return { sectionTitle: sectionPath.at(-1) ?? null, sectionPath };
}

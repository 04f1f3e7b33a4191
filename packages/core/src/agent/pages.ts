import type { Passage } from "./state.js";

/**
 * The page of a document offset inside a passage: the passage's own page, or a later one when the chunk spans
 * a page break before `offset` (chunk metadata `pageStarts`). Citations use it so that a quoted sentence names
 * the page it is printed on.
 */
export function pageAt(passage: Pick<Passage, "pageNumber" | "pageStarts">, offset: number): number | null {
  let page = passage.pageNumber;
  for (const [start, pageNumber] of passage.pageStarts ?? []) if (start <= offset) page = pageNumber;
  return page;
}

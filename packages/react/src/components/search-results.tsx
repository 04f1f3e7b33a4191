import type { SearchResult } from "@ragkit/protocol";
import { type ReactNode, useId } from "react";

export interface SearchResultsProps {
  results: readonly SearchResult[];
  /** Makes each result a button; called with the result and its index. */
  onSelect?: (result: SearchResult, index: number) => void;
  /** Shown instead of the list when there are no results. Default "No results."; `null` renders nothing. */
  emptyMessage?: ReactNode;
  /** Longest snippet in characters before it is cut at a word boundary. Default 240. */
  snippetLength?: number;
  /** Accessible name of the list. Default "Search results". */
  label?: string;
  className?: string;
}

/** "Page 3 · Leave policy": the parts of the citation that are known. */
export function formatCitation(result: Pick<SearchResult, "pageNumber" | "sectionTitle">): string {
  return [result.pageNumber === null ? null : `Page ${result.pageNumber}`, result.sectionTitle]
    .filter((part): part is string => Boolean(part))
    .join(" · ");
}

/** Collapses whitespace and cuts at a word boundary with an ellipsis. */
export function snippetOf(text: string, maxLength: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= maxLength) return flat;
  const cut = flat.slice(0, maxLength);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxLength * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * An ordered list of search results with their citations (document title, page, section) and a text snippet.
 * Unstyled: style it through the `ragkit-search-results*` class names. Renders on the server as well.
 */
export function SearchResults({
  results,
  onSelect,
  emptyMessage = "No results.",
  snippetLength = 240,
  label = "Search results",
  className,
}: SearchResultsProps): ReactNode {
  if (results.length === 0) {
    return emptyMessage === null ? null : (
      <p className={classes("ragkit-search-results__empty", className)}>{emptyMessage}</p>
    );
  }
  return (
    <ol className={classes("ragkit-search-results", className)} aria-label={label}>
      {results.map((result, index) => (
        <SearchResultItem
          key={result.chunkId}
          result={result}
          index={index}
          onSelect={onSelect}
          snippetLength={snippetLength}
        />
      ))}
    </ol>
  );
}

function SearchResultItem({
  result,
  index,
  onSelect,
  snippetLength,
}: {
  result: SearchResult;
  index: number;
  onSelect: SearchResultsProps["onSelect"];
  snippetLength: number;
}) {
  const id = useId();
  const citation = formatCitation(result);
  const title = result.documentTitle?.trim() || "Untitled document";
  const body = (
    <>
      <span className="ragkit-search-result__title" id={`${id}-title`}>
        {title}
      </span>
      {citation ? (
        <span className="ragkit-search-result__citation" id={`${id}-citation`}>
          {citation}
        </span>
      ) : null}
      <span className="ragkit-search-result__snippet" id={`${id}-snippet`}>
        {snippetOf(result.text, snippetLength)}
      </span>
    </>
  );
  return (
    <li className="ragkit-search-result" data-document-id={result.documentId} data-chunk-id={result.chunkId}>
      {onSelect ? (
        <button
          type="button"
          className="ragkit-search-result__button"
          aria-labelledby={`${id}-title`}
          aria-describedby={citation ? `${id}-citation ${id}-snippet` : `${id}-snippet`}
          onClick={() => onSelect(result, index)}
        >
          {body}
        </button>
      ) : (
        body
      )}
    </li>
  );
}

function classes(base: string, extra: string | undefined): string {
  return extra ? `${base} ${extra}` : base;
}

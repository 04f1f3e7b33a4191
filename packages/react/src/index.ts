/**
 * `@ragkit/react`: everything in `@ragkit/react/headless` plus components.
 */
export {
  formatCitation,
  SearchResults,
  type SearchResultsProps,
  snippetOf,
} from "./components/search-results.js";
export * from "./headless.js";

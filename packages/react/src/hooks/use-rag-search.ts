import type { SearchRequest, SearchResponse, SearchResult } from "@ragkit/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
import type { RagKitClient, RagKitClientError } from "../client.js";
import { toClientError } from "./errors.js";

export type SearchStatus = "idle" | "loading" | "success" | "error";

/** Search parameters other than the query text. */
export type SearchParams = Omit<SearchRequest, "query">;

export interface UseRagSearchOptions {
  client: RagKitClient;
  /**
   * Controlled mode: search whenever this (or `params`) changes; a blank query returns to idle. Leave it
   * `undefined` to drive searches yourself with `search()`.
   */
  query?: string;
  /** Defaults for every search: mode, topK, filter, documentIds, threshold. */
  params?: SearchParams;
  /** Controlled mode only: wait this long after the last change before searching. Default 0. */
  debounceMs?: number;
}

export interface UseRagSearchResult {
  status: SearchStatus;
  loading: boolean;
  /** The latest successful results; kept while a newer search loads, cleared on error and reset. */
  results: SearchResult[];
  error: RagKitClientError | null;
  /** The query of the search that is loading or produced `results`. */
  query: string | null;
  /**
   * Starts a search, aborting the one in flight. Resolves with the response, or `null` when the search was
   * superseded, cancelled or failed (the failure is in `error`).
   */
  search(input: string | SearchRequest): Promise<SearchResponse | null>;
  /** Aborts the search in flight and keeps the current results. */
  cancel(): void;
  /** Aborts the search in flight and returns to idle. */
  reset(): void;
}

interface State {
  status: SearchStatus;
  results: SearchResult[];
  error: RagKitClientError | null;
  query: string | null;
}

const idle: State = { status: "idle", results: [], error: null, query: null };

/**
 * Search state for one search box. Only the latest search can update state: starting a new one aborts the
 * previous request, and unmounting aborts whatever is in flight.
 */
export function useRagSearch(options: UseRagSearchOptions): UseRagSearchResult {
  const { client, query, params, debounceMs = 0 } = options;
  const [state, setState] = useState<State>(idle);
  const inFlight = useRef<AbortController | null>(null);
  /** The state to return to when a loading search is cancelled. */
  const settled = useRef<State>(idle);
  const latest = useRef({ client, params });
  latest.current = { client, params };

  const cancel = useCallback(() => {
    const controller = inFlight.current;
    inFlight.current = null;
    if (!controller) return;
    controller.abort();
    setState(settled.current);
  }, []);

  const reset = useCallback(() => {
    inFlight.current?.abort();
    inFlight.current = null;
    settled.current = idle;
    setState(idle);
  }, []);

  const search = useCallback(async (input: string | SearchRequest): Promise<SearchResponse | null> => {
    const request: SearchRequest =
      typeof input === "string"
        ? { ...latest.current.params, query: input }
        : { ...latest.current.params, ...input };
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setState((s) => ({ ...s, status: "loading", error: null, query: request.query }));
    try {
      const response = await latest.current.client.search(request, { signal: controller.signal });
      if (inFlight.current !== controller) return null;
      inFlight.current = null;
      settled.current = { status: "success", results: response.results, error: null, query: request.query };
      setState(settled.current);
      return response;
    } catch (error) {
      if (inFlight.current !== controller || controller.signal.aborted) return null;
      inFlight.current = null;
      settled.current = { status: "error", results: [], error: toClientError(error), query: request.query };
      setState(settled.current);
      return null;
    }
  }, []);

  // Abort on unmount.
  useEffect(
    () => () => {
      inFlight.current?.abort();
      inFlight.current = null;
    },
    [],
  );

  // Controlled mode. Params travel serialised, so a new object literal on every render does not re-search.
  const paramsKey = JSON.stringify(params ?? {});
  useEffect(() => {
    if (query === undefined) return;
    if (query.trim() === "") {
      reset();
      return;
    }
    const request: SearchRequest = { ...(JSON.parse(paramsKey) as SearchParams), query };
    const timer = setTimeout(() => void search(request), debounceMs);
    return () => clearTimeout(timer);
  }, [query, paramsKey, debounceMs, search, reset]);

  return { ...state, loading: state.status === "loading", search, cancel, reset };
}

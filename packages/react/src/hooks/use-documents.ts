import type { DocumentStatus, DocumentSummary, JobSummary } from "@ragkit/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
import type { RagKitClient, RagKitClientError } from "../client.js";
import { toClientError } from "./errors.js";

export interface UseDocumentsOptions {
  client: RagKitClient;
  /** Page size (1–100). Default: the server's (20). */
  limit?: number;
  status?: DocumentStatus;
  /** Set to false to skip loading (e.g. until the user is signed in). Default true. */
  enabled?: boolean;
}

export interface UseDocumentsResult {
  status: "idle" | "loading" | "success" | "error";
  loading: boolean;
  /** All pages loaded so far, newest first. */
  documents: DocumentSummary[];
  error: RagKitClientError | null;
  hasMore: boolean;
  /** Loads the next page (no-op while loading or on the last page). */
  loadMore(): Promise<void>;
  /** Drops loaded pages and loads the first page again. */
  reload(): Promise<void>;
  /** `DELETE /documents/:id`, then drops it from the list. Rejects with a `RagKitClientError`. */
  remove(id: string): Promise<void>;
  /** `POST /documents/:id/reindex`; the document shows as "processing" until the next reload. Resolves with the job. */
  reindex(id: string): Promise<JobSummary>;
}

interface State {
  status: UseDocumentsResult["status"];
  documents: DocumentSummary[];
  error: RagKitClientError | null;
  nextCursor: string | null;
}

/** The caller's documents, page by page. Requests in flight are aborted on reload, option change and unmount. */
export function useDocuments(options: UseDocumentsOptions): UseDocumentsResult {
  const { client, limit, status, enabled = true } = options;
  const [state, setState] = useState<State>({ status: "idle", documents: [], error: null, nextCursor: null });
  const inFlight = useRef<AbortController | null>(null);
  const cursor = useRef<string | null>(null);

  const load = useCallback(
    async (append: boolean) => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      const from = append ? cursor.current : null;
      setState((s) => ({
        ...s,
        status: "loading",
        error: null,
        ...(append ? {} : { documents: [], nextCursor: null }),
      }));
      try {
        const page = await client.listDocuments(
          {
            ...(limit === undefined ? {} : { limit }),
            ...(status ? { status } : {}),
            ...(from ? { cursor: from } : {}),
          },
          { signal: controller.signal },
        );
        if (inFlight.current !== controller) return;
        inFlight.current = null;
        cursor.current = page.nextCursor;
        setState((s) => ({
          status: "success",
          documents: append ? [...s.documents, ...page.documents] : page.documents,
          error: null,
          nextCursor: page.nextCursor,
        }));
      } catch (error) {
        if (inFlight.current !== controller || controller.signal.aborted) return;
        inFlight.current = null;
        setState((s) => ({ ...s, status: "error", error: toClientError(error) }));
      }
    },
    [client, limit, status],
  );

  useEffect(() => {
    cursor.current = null;
    if (enabled) void load(false);
    return () => {
      inFlight.current?.abort();
      inFlight.current = null;
    };
  }, [enabled, load]);

  const loadMore = useCallback(async () => {
    if (inFlight.current || !cursor.current) return;
    await load(true);
  }, [load]);

  const reload = useCallback(() => {
    cursor.current = null;
    return load(false);
  }, [load]);

  const remove = useCallback(
    async (id: string) => {
      await client.deleteDocument(id);
      setState((s) => ({ ...s, documents: s.documents.filter((d) => d.id !== id) }));
    },
    [client],
  );

  const reindex = useCallback(
    async (id: string) => {
      const job = await client.reindexDocument(id);
      setState((s) => ({
        ...s,
        documents: s.documents.map((d) => (d.id === id ? { ...d, status: "processing" } : d)),
      }));
      return job;
    },
    [client],
  );

  return {
    remove,
    reindex,
    status: state.status,
    loading: state.status === "loading",
    documents: state.documents,
    error: state.error,
    hasMore: state.nextCursor !== null,
    loadMore,
    reload,
  };
}

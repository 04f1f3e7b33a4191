import type { ThreadDetail, ThreadSummary } from "@ragkit/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
import type { RagKitClient, RagKitClientError } from "../client.js";
import { toClientError } from "./errors.js";

export interface UseThreadsOptions {
  client: RagKitClient;
  /**
   * `localStorage` key remembering the selected thread, so a reload reopens it. `null` disables persistence.
   * Default "ragkit:thread".
   */
  storageKey?: string | null;
  /** Load the thread list (default true). */
  enabled?: boolean;
  limit?: number;
  /** Select a new thread id when none is restored (the chat widget always talks in a thread). Default false. */
  autoStart?: boolean;
}

export interface UseThreadsResult {
  threads: ThreadSummary[];
  loading: boolean;
  error: RagKitClientError | null;
  /** The selected thread id (restored from storage after a reload); null for a new conversation. */
  selectedId: string | null;
  /** The selected thread's messages, state and pending approval (loaded on selection). */
  selected: ThreadDetail | null;
  select(threadId: string | null): void;
  /** Starts a new conversation with a fresh id (returned). */
  startNew(): string;
  /** Renames a conversation (`PATCH /threads/:id`) and updates the list in place. */
  rename(threadId: string, title: string): Promise<void>;
  /** Deletes a conversation; deleting the selected one starts a new conversation. */
  remove(threadId: string): Promise<void>;
  reload(): Promise<void>;
}

function readStored(key: string | null): string | null {
  if (!key || typeof window === "undefined") return null;
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled (privacy mode, sandboxed iframe)
  }
}

function writeStored(key: string | null, value: string | null): void {
  if (!key || typeof window === "undefined") return;
  try {
    if (value) window.localStorage.setItem(key, value);
    else window.localStorage.removeItem(key);
  } catch {
    // storage disabled: selection just is not remembered
  }
}

/** Thread ids the server accepts (`chatIdSchema`): a UUID fits. */
export function newThreadId(): string {
  return globalThis.crypto.randomUUID();
}

/** The caller's conversations and the selected one, remembered across reloads. */
export function useThreads(options: UseThreadsOptions): UseThreadsResult {
  const { client, storageKey = "ragkit:thread", enabled = true, limit, autoStart = false } = options;
  const [threads, setThreads] = useState<ThreadSummary[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<RagKitClientError | null>(null);
  // Read storage after mount only: the server render and the first client render must match (no hydration warning).
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [selected, setSelected] = useState<ThreadDetail | null>(null);
  const listRequest = useRef<AbortController | null>(null);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;

  useEffect(() => {
    const stored = readStored(storageKey);
    if (stored) setSelectedId(stored);
    else if (autoStart) {
      const id = newThreadId();
      writeStored(storageKey, id);
      setSelectedId(id);
    }
  }, [storageKey, autoStart]);

  const reload = useCallback(async () => {
    listRequest.current?.abort();
    const controller = new AbortController();
    listRequest.current = controller;
    setLoading(true);
    try {
      const page = await client.listThreads(limit === undefined ? {} : { limit }, {
        signal: controller.signal,
      });
      if (listRequest.current !== controller) return;
      setThreads(page.threads);
      setError(null);
    } catch (e) {
      if (controller.signal.aborted) return;
      setError(toClientError(e));
    } finally {
      if (listRequest.current === controller) {
        listRequest.current = null;
        setLoading(false);
      }
    }
  }, [client, limit]);

  useEffect(() => {
    if (enabled) void reload();
    return () => listRequest.current?.abort();
  }, [enabled, reload]);

  useEffect(() => {
    setSelected(null);
    if (!selectedId) return;
    const controller = new AbortController();
    client.getThread(selectedId, { signal: controller.signal }).then(
      (detail) => setSelected(detail),
      (e: unknown) => {
        if (controller.signal.aborted) return;
        const clientError = toClientError(e);
        // A thread deleted elsewhere (or a brand-new id with no run yet) is simply not restored.
        if (clientError.code !== "not_found") setError(clientError);
      },
    );
    return () => controller.abort();
  }, [client, selectedId]);

  const select = useCallback(
    (threadId: string | null) => {
      writeStored(storageKey, threadId);
      setSelectedId(threadId);
    },
    [storageKey],
  );

  const startNew = useCallback(() => {
    const id = newThreadId();
    select(id);
    return id;
  }, [select]);

  const remove = useCallback(
    async (threadId: string) => {
      await client.deleteThread(threadId);
      setThreads((list) => list.filter((t) => t.threadId !== threadId));
      if (selectedRef.current === threadId) {
        if (autoStart) startNew();
        else select(null);
      }
    },
    [client, select, startNew, autoStart],
  );

  const rename = useCallback(
    async (threadId: string, title: string) => {
      const renamed = await client.renameThread(threadId, title);
      setThreads((list) => list.map((t) => (t.threadId === threadId ? renamed : t)));
    },
    [client],
  );

  return { threads, loading, error, selectedId, selected, select, startNew, rename, remove, reload };
}

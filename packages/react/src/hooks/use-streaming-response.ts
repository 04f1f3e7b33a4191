import type { ChatApprovalDecision, ChatEvent } from "@ragkit/protocol";
import { pathTo } from "@ragkit/protocol/routes";
import { useCallback, useEffect, useRef, useState } from "react";
import { isAbortError, type RagKitClient, RagKitClientError } from "../client.js";
import { type AgentRunState, applyChatEvent, initialRunState, isTerminal } from "../stream/chat-state.js";
import { readSse } from "../stream/sse.js";
import { chatEventOf, MalformedEventError } from "../stream/wire.js";
import { toClientError } from "./errors.js";

export interface UseStreamingResponseOptions {
  client: RagKitClient;
  /** Continue this conversation; default: the thread of the last run (a new thread on the first message). */
  threadId?: string;
  /** Reconnect attempts after a dropped connection, per run. Default 3. */
  maxReconnects?: number;
  /** Wait before each reconnect (doubles each time). Default 250 ms. */
  reconnectDelayMs?: number;
  /** Called for every event applied (after de-duplication). */
  onEvent?: (event: ChatEvent) => void;
}

export interface UseStreamingResponseResult {
  state: AgentRunState;
  /** True while connecting, streaming or reconnecting. */
  streaming: boolean;
  /** Non-null when the stream could not be opened or resumed (server errors of the run are in `state.error`). */
  error: RagKitClientError | null;
  /** Sends a message and streams the run. Resolves with the final state (aborting the previous stream first). */
  send(message: string, options?: { threadId?: string; background?: boolean }): Promise<AgentRunState>;
  /** Answers a pending approval (`POST /threads/:id/resume`) and streams the rest of the run. */
  resume(decision: ChatApprovalDecision): Promise<AgentRunState>;
  /** Stops reading (the server keeps or stops the run according to `background`). */
  abort(): void;
  reset(): void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * Streams a chat run over plain SSE (`POST /chat/stream`) without CopilotKit. When the connection drops before
 * the run's last event, it reconnects to `GET /runs/:id/events` with `Last-Event-ID`, so no token is lost or
 * repeated.
 */
export function useStreamingResponse(options: UseStreamingResponseOptions): UseStreamingResponseResult {
  const [state, setState] = useState<AgentRunState>(initialRunState);
  const [error, setError] = useState<RagKitClientError | null>(null);
  const current = useRef<AgentRunState>(initialRunState);
  const inFlight = useRef<AbortController | null>(null);
  const latest = useRef(options);
  latest.current = options;

  const commit = useCallback((next: AgentRunState) => {
    current.current = next;
    setState(next);
  }, []);

  const run = useCallback(
    async (
      open: (signal: AbortSignal) => Promise<Response>,
      initial: AgentRunState,
    ): Promise<AgentRunState> => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      const { signal } = controller;
      const { maxReconnects = 3, reconnectDelayMs = 250 } = latest.current;
      setError(null);
      commit(initial);
      let opener = open;
      let attempt = 0;
      try {
        for (;;) {
          let response: Response;
          response = await opener(signal);
          const runId = response.headers.get("x-run-id");
          if (runId && !current.current.runId) commit({ ...current.current, runId });
          if (current.current.status !== "streaming") commit({ ...current.current, status: "streaming" });
          let dropped: unknown = null;
          try {
            if (!response.body) throw new TypeError("The stream has no body.");
            await readSse(
              response.body,
              (frame) => {
                const event = chatEventOf(frame);
                if (!event) return;
                const next = applyChatEvent(current.current, event);
                if (next === current.current) return;
                commit(next);
                latest.current.onEvent?.(event);
              },
              signal,
            );
          } catch (e) {
            if (signal.aborted) throw e;
            if (e instanceof MalformedEventError) {
              throw new RagKitClientError({
                status: 200,
                code: "invalid_response",
                message: "Malformed chat event.",
                cause: e,
              });
            }
            dropped = e;
          }
          if (isTerminal(current.current.status)) return current.current;
          // The body ended (or broke) before the run's last event: resume where we stopped.
          const id = current.current.runId;
          if (!id || attempt >= maxReconnects) {
            throw new RagKitClientError({
              status: 0,
              code: "network_error",
              message: "The chat stream ended before the run finished.",
              cause: dropped,
            });
          }
          attempt += 1;
          commit({ ...current.current, status: "reconnecting" });
          await sleep(reconnectDelayMs * 2 ** (attempt - 1), signal);
          const lastEventId = String(current.current.lastEventId);
          opener = (s) =>
            latest.current.client.stream({
              method: "GET",
              path: pathTo("runEvents", { id }),
              lastEventId,
              signal: s,
            });
        }
      } catch (e) {
        if (signal.aborted || isAbortError(e)) {
          if (inFlight.current === controller) commit({ ...current.current, status: "aborted" });
          return current.current;
        }
        const clientError = toClientError(e);
        if (inFlight.current === controller) {
          setError(clientError);
          commit({
            ...current.current,
            status: "error",
            error: current.current.error ?? { code: clientError.code, message: clientError.message },
          });
        }
        return current.current;
      } finally {
        if (inFlight.current === controller) inFlight.current = null;
      }
    },
    [commit],
  );

  const send = useCallback(
    (message: string, sendOptions: { threadId?: string; background?: boolean } = {}) => {
      const threadId =
        sendOptions.threadId ?? latest.current.threadId ?? current.current.threadId ?? undefined;
      return run(
        (signal) =>
          latest.current.client.streamChat(
            {
              message,
              ...(threadId ? { threadId } : {}),
              ...(sendOptions.background ? { background: true } : {}),
            },
            { signal },
          ),
        { ...initialRunState, status: "connecting", threadId: threadId ?? null },
      );
    },
    [run],
  );

  const resume = useCallback(
    (decision: ChatApprovalDecision) => {
      const threadId = current.current.threadId ?? latest.current.threadId;
      if (!threadId) return Promise.reject(new TypeError("resume(): no thread to resume"));
      return run((signal) => latest.current.client.streamResume(threadId, { decision }, { signal }), {
        ...initialRunState,
        status: "connecting",
        threadId,
      });
    },
    [run],
  );

  const abort = useCallback(() => {
    inFlight.current?.abort();
  }, []);

  const reset = useCallback(() => {
    inFlight.current?.abort();
    inFlight.current = null;
    setError(null);
    commit(initialRunState);
  }, [commit]);

  useEffect(
    () => () => {
      inFlight.current?.abort();
    },
    [],
  );

  const streaming =
    state.status === "connecting" || state.status === "streaming" || state.status === "reconnecting";
  return { state, streaming, error, send, resume, abort, reset };
}

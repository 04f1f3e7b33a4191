import { eventIdSchema } from "@ragkit/protocol";
import { invalidInput } from "../http.js";

/**
 * A `text/event-stream` response fed by an async iterable of ready-made frames, with `: keep-alive` comment
 * frames on an interval (proxies and load balancers drop idle connections). When the client goes away (the
 * body is cancelled, or the request's signal aborts), `disconnect` aborts so the producer can stop.
 */
export function sseResponse(
  frames: (signal: AbortSignal) => AsyncIterable<string>,
  options: { heartbeatMs: number; request: Request; headers?: Record<string, string> },
): Response {
  const encoder = new TextEncoder();
  const disconnect = new AbortController();
  const onAbort = () => disconnect.abort();
  options.request.signal.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    clearInterval(timer);
    options.request.signal.removeEventListener("abort", onAbort);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // Already closed or errored: the client is gone.
        }
      };
      timer = setInterval(() => send(": keep-alive\n\n"), options.heartbeatMs);
      void (async () => {
        try {
          for await (const frame of frames(disconnect.signal)) {
            if (disconnect.signal.aborted) break;
            send(frame);
          }
          if (!disconnect.signal.aborted) controller.close();
        } catch (error) {
          if (!disconnect.signal.aborted) controller.error(error);
        } finally {
          stop();
        }
      })();
    },
    cancel() {
      disconnect.abort();
      stop();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
      ...options.headers,
    },
  });
}

/** One SSE frame. `data` is JSON on a single line (JSON.stringify never emits raw newlines). */
export function sseFrame(data: unknown, options: { event?: string; id?: number | string } = {}): string {
  return `${options.id === undefined ? "" : `id: ${options.id}\n`}${options.event ? `event: ${options.event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * The `Last-Event-ID` to resume after (the header, or `?lastEventId=` for clients without EventSource): null
 * when absent or empty, 400 when it is not an event id this server could have sent (a `bigint`).
 */
export function lastEventIdOf(request: Request, url: URL): string | null {
  const header = request.headers.get("last-event-id");
  const [raw, field] =
    header === null ? [url.searchParams.get("lastEventId"), "lastEventId"] : [header, "Last-Event-ID"];
  if (raw === null || raw.trim() === "") return null;
  const parsed = eventIdSchema.safeParse(raw.trim());
  if (!parsed.success) throw invalidInput("Last-Event-ID", parsed.error.issues, [field]);
  return parsed.data;
}

/** A run's `Last-Event-ID` as a sequence number (0: from the start). */
export function lastEventSeq(request: Request, url: URL): number {
  return Number(lastEventIdOf(request, url) ?? 0);
}

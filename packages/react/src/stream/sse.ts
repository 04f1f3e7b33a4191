import { createParser, type EventSourceMessage } from "eventsource-parser";

/** One SSE frame as the server sent it (comment frames such as `: keep-alive` are dropped by the parser). */
export type SseFrame = EventSourceMessage;

/**
 * Reads a `text/event-stream` body frame by frame. Resolves when the body ends; rejects with the body's read
 * error (a dropped connection) or the signal's abort reason.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onFrame: (frame: SseFrame) => void,
  signal?: AbortSignal,
): Promise<void> {
  const parser = createParser({ onEvent: onFrame });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}

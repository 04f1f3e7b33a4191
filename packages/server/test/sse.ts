import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface Frame {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/**
 * Reads SSE frames with eventsource-parser until the stream ends or `stop(frame)` returns true (then the
 * connection is cancelled). Also counts comment frames (heartbeats).
 */
export async function readSse(
  res: Response,
  stop: (frame: Frame, frames: Frame[]) => boolean = () => false,
): Promise<{ frames: Frame[]; comments: number }> {
  const frames: Frame[] = [];
  let comments = 0;
  let stopped = false;
  const parser = createParser({
    onEvent: (m: EventSourceMessage) => {
      if (stopped) return;
      const frame = { id: m.id, event: m.event, data: m.data };
      frames.push(frame);
      if (stop(frame, frames)) stopped = true;
    },
    onComment: () => {
      comments++;
    },
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  try {
    while (!stopped) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    if (stopped) await reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
  return { frames, comments };
}

import { toChatEvent } from "@ragkit/protocol";
import type { StoredEvent } from "../runs/live-run.js";
import { sseFrame } from "../runs/sse.js";

/**
 * The plain-SSE frames of a stream of stored events (`id` = the event's seq). The mapping itself is the
 * protocol's (`toChatEvent`): an exhaustive switch over the agent's event union, next to both schemas.
 */
export async function* chatFrames(events: AsyncIterable<StoredEvent>): AsyncGenerator<string> {
  for await (const { seq, event } of events) {
    const mapped = toChatEvent(event);
    if (mapped) yield sseFrame(mapped.data, { event: mapped.type, id: seq });
  }
}

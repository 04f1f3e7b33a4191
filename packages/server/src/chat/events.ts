import type { ChatEventType } from "@ragkit/protocol";
import type { StoredEvent } from "../runs/live-run.js";
import { sseFrame } from "../runs/sse.js";

type Data = Record<string, unknown>;

/**
 * Maps a stored agent event to the plain-SSE event (type and data), or null for agent events this protocol
 * does not carry. Unknown agent event types and fields are ignored: the agent's union grows additively.
 */
export function toChatEvent(event: StoredEvent): { type: ChatEventType; data: Data } | null {
  const d = event.data;
  switch (event.type) {
    case "run_started":
      return { type: "start", data: { runId: d.runId, threadId: d.threadId } };
    case "step_started":
      return { type: "state", data: { phase: "started", step: d.step } };
    case "step_finished":
      return { type: "state", data: { phase: "finished", step: d.step } };
    case "progress":
      return { type: "state", data: { phase: "progress", step: d.step, progress: d.progress } };
    case "thought":
      return { type: "thought", data: { step: d.step, text: d.text } };
    case "text_delta":
      return { type: "token", data: { delta: d.delta, ...(d.reset === true ? { reset: true } : {}) } };
    case "tool_call":
      return { type: "tool_call", data: { toolCall: d.toolCall } };
    case "citations":
      return { type: "citations", data: { citations: d.citations } };
    case "validation":
      return { type: "validation", data: { validation: d.validation } };
    case "interrupt":
      return { type: "interrupt", data: { interrupt: d.interrupt } };
    case "run_finished":
      return {
        type: "done",
        data: {
          runId: d.runId,
          threadId: d.threadId,
          status: d.status,
          answer: d.answer,
          answerKind: d.answerKind,
          citations: d.citations,
          validation: d.validation ?? null,
          ...(d.usage === undefined ? {} : { usage: d.usage }),
        },
      };
    case "run_error":
      return { type: "error", data: { code: d.code, message: d.message } };
    default:
      return null;
  }
}

/** The plain-SSE frames of a stream of stored events (`id` = the event's seq). */
export async function* chatFrames(events: AsyncIterable<StoredEvent>): AsyncGenerator<string> {
  for await (const event of events) {
    const mapped = toChatEvent(event);
    if (mapped) yield sseFrame(mapped.data, { event: mapped.type, id: event.seq });
  }
}

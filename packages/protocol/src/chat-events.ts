import type { AgentEvent } from "./agent-events.js";
import type { ChatEventPayload } from "./chat.js";

/**
 * The plain-SSE event an agent event travels as, or null for the events this protocol deliberately does not
 * carry: `message` (the plain-SSE client builds the answer from `token`s and `done`; the thread's messages come
 * from `GET /threads/:id`) and `approval` (the resumed run's own events show the outcome). The switch is
 * exhaustive: a new agent event type does not compile until it is mapped or listed here.
 */
export function toChatEvent(event: AgentEvent): ChatEventPayload | null {
  switch (event.type) {
    case "run_started":
      return { type: "start", data: { runId: event.runId, threadId: event.threadId } };
    case "step_started":
      return { type: "state", data: { phase: "started", step: event.step } };
    case "step_finished":
      return { type: "state", data: { phase: "finished", step: event.step } };
    case "progress":
      return { type: "state", data: { phase: "progress", step: event.step, progress: event.progress } };
    case "thought":
      return { type: "thought", data: { step: event.step, text: event.text } };
    case "text_delta":
      // `messageId` is not sent: plain SSE streams one answer per run.
      return {
        type: "token",
        data: { delta: event.delta, ...(event.reset === true ? { reset: true } : {}) },
      };
    case "tool_call":
      return { type: "tool_call", data: { toolCall: event.toolCall } };
    case "citations":
      return { type: "citations", data: { citations: event.citations } };
    case "validation":
      return { type: "validation", data: { validation: event.validation } };
    case "interrupt":
      return { type: "interrupt", data: { interrupt: event.interrupt } };
    case "run_finished":
      return {
        type: "done",
        data: {
          runId: event.runId,
          threadId: event.threadId,
          status: event.status,
          answer: event.answer,
          answerKind: event.answerKind,
          citations: event.citations,
          validation: event.validation,
          ...(event.usage === undefined ? {} : { usage: event.usage }),
        },
      };
    case "run_error":
      return { type: "error", data: { code: event.code, message: event.message } };
    case "message":
    case "approval":
      return null;
    default: {
      // Compile-time exhaustiveness; at run time (an event from a newer agent) nothing is sent.
      const unhandled: never = event;
      void unhandled;
      return null;
    }
  }
}

import type { ChatCitation, ChatEvent, ChatInterrupt, ChatToolCall, ChatValidation } from "@ragkit/protocol";

export type ChatStatus =
  | "idle"
  | "connecting"
  | "streaming"
  | "reconnecting"
  | "done"
  | "interrupted"
  | "error"
  | "aborted";

/**
 * What a run looks like to the UI, folded from its events. The same shape whether it comes from the plain-SSE
 * chat (`useStreamingResponse`) or from CopilotKit's shared agent state (`useRagAgentState`).
 */
export interface AgentRunState {
  status: ChatStatus;
  runId: string | null;
  threadId: string | null;
  /** The step the agent is in ("retrieve", "generate", …); null before the first step. */
  step: string | null;
  /** 0..1 */
  progress: number;
  thoughts: string[];
  /** The answer streamed so far. */
  answer: string;
  citations: ChatCitation[];
  validation: ChatValidation | null;
  toolCalls: ChatToolCall[];
  /** A pending approval (status "interrupted"). */
  interrupt: ChatInterrupt | null;
  error: { code: string; message: string } | null;
  /** The `id` of the last event applied: the `Last-Event-ID` to resume from. */
  lastEventId: number;
}

export const initialRunState: AgentRunState = {
  status: "idle",
  runId: null,
  threadId: null,
  step: null,
  progress: 0,
  thoughts: [],
  answer: "",
  citations: [],
  validation: null,
  toolCalls: [],
  interrupt: null,
  error: null,
  lastEventId: 0,
};

/**
 * Folds one chat event into the run state. Events at or below `lastEventId` are ignored, so a replay after a
 * reconnect that overlaps what was already seen is harmless.
 */
export function applyChatEvent(state: AgentRunState, event: ChatEvent): AgentRunState {
  if (event.id > 0 && event.id <= state.lastEventId) return state;
  const next: AgentRunState = { ...state, lastEventId: event.id > 0 ? event.id : state.lastEventId };
  switch (event.type) {
    case "start":
      return { ...next, status: "streaming", runId: event.data.runId, threadId: event.data.threadId };
    case "state":
      return {
        ...next,
        step: event.data.step,
        progress: event.data.progress ?? next.progress,
      };
    case "thought":
      return { ...next, thoughts: [...next.thoughts, event.data.text] };
    case "token":
      return { ...next, answer: event.data.reset ? event.data.delta : next.answer + event.data.delta };
    case "tool_call":
      return { ...next, toolCalls: [...next.toolCalls, event.data.toolCall] };
    case "citations":
      return { ...next, citations: event.data.citations };
    case "validation":
      return { ...next, validation: event.data.validation };
    case "interrupt":
      return { ...next, interrupt: event.data.interrupt };
    case "done":
      return {
        ...next,
        status: event.data.status === "interrupted" ? "interrupted" : "done",
        runId: event.data.runId,
        threadId: event.data.threadId,
        answer: event.data.answer,
        citations: event.data.citations,
        validation: event.data.validation,
        progress: event.data.status === "completed" ? 1 : next.progress,
      };
    case "error":
      return { ...next, status: event.data.code === "aborted" ? "aborted" : "error", error: event.data };
    default:
      return next;
  }
}

/** True once the run has sent its last event. */
export function isTerminal(status: ChatStatus): boolean {
  return status === "done" || status === "interrupted" || status === "error" || status === "aborted";
}

import { z } from "zod";
import {
  type AgentStep,
  type AnswerKind,
  answerKindSchema,
  approvalDecisionSchema,
  type Citation,
  citationSchema,
  conversationMessageSchema,
  type PendingInterrupt,
  pendingInterruptSchema,
  runUsageSchema,
  stepSchema,
  type ToolCall,
  toolCallSchema,
  type ValidationResult,
  validationSchema,
} from "./agent-parts.js";

/**
 * The agent's event stream: one typed union, transport-neutral. `@ragkit/core`'s agent emits it, the server
 * stores it (`run_events`) and maps it to plain SSE (`toChatEvent`, chat-events.ts) and to AG-UI. Both mappers
 * switch exhaustively over `AgentEvent["type"]`, so a new event type does not compile until each decides what
 * to do with it. Contract: the first event is `run_started`; the last is exactly one of `run_finished` /
 * `run_error`. A run paused for approval emits `interrupt` and then `run_finished` with `status: "interrupted"`.
 */
const base = { runId: z.string(), threadId: z.string() };

export const runStartedEvent = z.object({
  type: z.literal("run_started"),
  ...base,
  tenantId: z.string().nullable(),
  timestamp: z.number(),
});
export const stepStartedEvent = z.object({ type: z.literal("step_started"), ...base, step: stepSchema });
export const stepFinishedEvent = z.object({ type: z.literal("step_finished"), ...base, step: stepSchema });
export const progressEvent = z.object({
  type: z.literal("progress"),
  ...base,
  step: stepSchema,
  progress: z.number().min(0).max(1),
});
export const thoughtEvent = z.object({
  type: z.literal("thought"),
  ...base,
  step: stepSchema,
  text: z.string(),
});
export const textDeltaEvent = z.object({
  type: z.literal("text_delta"),
  ...base,
  /** The assistant message the text belongs to (its id in the thread's messages, replays and the threads API). */
  messageId: z.string(),
  delta: z.string(),
  /**
   * True on the first delta of a regenerated answer (validation found the first one unsupported): the text
   * streamed so far is replaced, not continued. Absent otherwise.
   */
  reset: z.boolean().optional(),
});
export const citationsEvent = z.object({
  type: z.literal("citations"),
  ...base,
  citations: z.array(citationSchema),
});
export const validationEvent = z.object({
  type: z.literal("validation"),
  ...base,
  validation: validationSchema,
});
/** A tool ran (query_database, create_visualization): name, arguments and result, for tool renderers. */
export const toolCallEvent = z.object({ type: z.literal("tool_call"), ...base, toolCall: toolCallSchema });
/** The run paused for a human decision (see `agent.resume`). Followed by `run_finished` (interrupted). */
export const interruptEvent = z.object({
  type: z.literal("interrupt"),
  ...base,
  interrupt: pendingInterruptSchema,
});
/**
 * A message of the thread was added or changed (upsert by id): the user's message, an answer (after its
 * text streamed), tool calls and their results, an approval note. Folding these over the thread's earlier
 * messages gives exactly the conversation a replay shows.
 */
export const messageEvent = z.object({
  type: z.literal("message"),
  ...base,
  message: conversationMessageSchema,
});
/**
 * A pending approval was answered: by `resume`, by the user's reply ("approve"/"reject"), or declined
 * because the user sent a new message instead (`superseded`).
 */
export const approvalEvent = z.object({
  type: z.literal("approval"),
  ...base,
  tool: z.string(),
  decision: approvalDecisionSchema,
  via: z.enum(["resume", "reply", "superseded"]),
});
export const runFinishedEvent = z.object({
  type: z.literal("run_finished"),
  ...base,
  /** "completed": answered; "interrupted": waiting for approval (answer empty, kind "none"). */
  status: z.enum(["completed", "interrupted"]),
  answer: z.string(),
  citations: z.array(citationSchema),
  validation: validationSchema.nullable(),
  /** "extractive" (offline: quoted sentences), "conversational" (small talk, no retrieval). */
  answerKind: answerKindSchema,
  /** Token usage of this run's model calls (absent when no model reported usage, e.g. offline models). */
  usage: runUsageSchema.optional(),
});
export const runErrorEvent = z.object({
  type: z.literal("run_error"),
  ...base,
  /** A RagKitErrorCode ("invalid_input", "aborted", "too_large", …) or "internal_error". */
  code: z.string(),
  message: z.string(),
});

export const agentEventSchema = z.discriminatedUnion("type", [
  runStartedEvent,
  stepStartedEvent,
  stepFinishedEvent,
  progressEvent,
  thoughtEvent,
  textDeltaEvent,
  citationsEvent,
  validationEvent,
  toolCallEvent,
  interruptEvent,
  messageEvent,
  approvalEvent,
  runFinishedEvent,
  runErrorEvent,
]);

export type AgentEvent = z.infer<typeof agentEventSchema>;
export type AgentEventType = AgentEvent["type"];
export type AgentEventOf<T extends AgentEventType> = Extract<AgentEvent, { type: T }>;
export const agentEventTypes = agentEventSchema.options.map((o) => o.shape.type.value);

/**
 * The shared state the AG-UI endpoint publishes for a run (STATE_SNAPSHOT, then JSON-Patch STATE_DELTA), folded
 * from the events above; CopilotKit's `useAgent` sees it as `agent.state`.
 */
export interface AgentSharedState {
  step: AgentStep;
  progress: number;
  thoughts: string[];
  citations: Citation[];
  validation: ValidationResult | null;
  toolCalls: ToolCall[];
  interrupt: PendingInterrupt | null;
  /** How the answer was made ("none": nothing in the documents answers it); null until the run ends. */
  answerKind: AnswerKind | null;
}

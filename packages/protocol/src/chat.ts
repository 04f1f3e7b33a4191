import { z } from "zod";
import {
  type Citation,
  citationSchema,
  type PendingInterrupt,
  pendingInterruptSchema,
  runUsageSchema,
  type ToolCall,
  toolCallSchema,
  type ValidationResult,
  validationSchema,
} from "./agent-parts.js";
import { textSchema } from "./text.js";

/**
 * The plain-SSE chat protocol (`POST /chat/stream`, `GET /runs/:id/events`, `POST /threads/:id/resume`) for
 * hosts without CopilotKit. Each SSE frame is `id: <seq>`, `event: <type>`, `data: <json>`; `seq` increases by
 * one per event of a run, so a client that reconnects with `Last-Event-ID: <seq>` misses nothing. Comment
 * frames (`: keep-alive`) are heartbeats. Payload schemas are lenient on unknown fields (newer servers add some).
 */

/** Thread and run ids: letters, digits and `. _ : @ -`, up to 128 characters. */
export const chatIdSchema = textSchema
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "may contain only letters, digits and . _ : @ -");

/**
 * `POST /chat/stream` body. Unknown fields are dropped (a `tenantId` here has no effect).
 * `background: true` keeps the run going when the client disconnects (reconnect with `GET /runs/:id/events`).
 */
export const chatRequestSchema = z.object({
  message: textSchema
    .max(100_000, "must be at most 100,000 characters")
    .refine((m) => m.trim().length > 0, "must not be empty or whitespace"),
  threadId: chatIdSchema.optional(),
  runId: chatIdSchema.optional(),
  background: z.boolean().default(false),
});
export type ChatRequest = z.input<typeof chatRequestSchema>;

/**
 * A step name. Left open on the wire (the agent's steps are `stepSchema`): a client keeps parsing the stream of a
 * newer server whose agent has a step this client does not know, and shows it as text.
 */
export const chatStepSchema = z.string();

// The wire's pieces are the agent event union's (agent-parts.ts), under the names clients already import.
export const chatCitationSchema = citationSchema;
export type ChatCitation = Citation;
export const chatValidationSchema = validationSchema;
export type ChatValidation = ValidationResult;
export const chatToolCallSchema = toolCallSchema;
export type ChatToolCall = ToolCall;
/** An approval the run is waiting for: answer it with `POST /threads/:id/resume`. */
export const chatInterruptSchema = pendingInterruptSchema;
export type ChatInterrupt = PendingInterrupt;

/** The data of each SSE event type. */
export const chatEventDataSchemas = {
  /** First event of every run. */
  start: z.object({ runId: z.string(), threadId: z.string() }),
  /** The agent entered/finished a step, or reports progress (0..1). */
  state: z.object({
    phase: z.enum(["started", "finished", "progress"]),
    step: chatStepSchema,
    progress: z.number().optional(),
  }),
  /** A short user-facing note about what the agent is doing. */
  thought: z.object({ step: chatStepSchema, text: z.string() }),
  /** Answer text, in order; the concatenation equals `done.answer`. */
  /** `reset: true`: the answer is being regenerated; discard the text streamed so far. */
  token: z.object({ delta: z.string(), reset: z.boolean().optional() }),
  tool_call: z.object({ toolCall: chatToolCallSchema }),
  citations: z.object({ citations: z.array(chatCitationSchema) }),
  validation: z.object({ validation: chatValidationSchema }),
  interrupt: z.object({ interrupt: chatInterruptSchema }),
  /** Last event of a successful run ("interrupted": waiting for approval). */
  done: z.object({
    runId: z.string(),
    threadId: z.string(),
    status: z.enum(["completed", "interrupted"]),
    answer: z.string(),
    /** Open on the wire like `step` (the agent's kinds are `answerKindSchema`). */
    answerKind: z.string(),
    citations: z.array(chatCitationSchema),
    validation: chatValidationSchema.nullable(),
    /** Token usage of the run's model calls, when the models report it. */
    usage: runUsageSchema.optional(),
  }),
  /** Last event of a failed or stopped run (`code` "aborted" when stopped). */
  error: z.object({ code: z.string(), message: z.string() }),
} as const;

export type ChatEventType = keyof typeof chatEventDataSchemas;
export type ChatEventData<T extends ChatEventType> = z.infer<(typeof chatEventDataSchemas)[T]>;
export type ChatEvent = {
  [T in ChatEventType]: { type: T; id: number; data: ChatEventData<T> };
}[ChatEventType];
/** A plain-SSE event before it is numbered: what `toChatEvent` makes of an agent event. */
export type ChatEventPayload = {
  [T in ChatEventType]: { type: T; data: ChatEventData<T> };
}[ChatEventType];
export const chatEventTypes = Object.keys(chatEventDataSchemas) as ChatEventType[];

/** Parses one SSE frame (`event`, `id`, `data`) into a typed event; null for unknown event types. */
export function parseChatEvent(frame: {
  event?: string | undefined;
  id?: string | undefined;
  data: string;
}): ChatEvent | null {
  const type = frame.event as ChatEventType | undefined;
  if (!type || !Object.hasOwn(chatEventDataSchemas, type)) return null;
  const data = chatEventDataSchemas[type].parse(JSON.parse(frame.data));
  return { type, id: Number(frame.id ?? 0), data } as ChatEvent;
}

export const chatRunStatusSchema = z.enum(["running", "completed", "interrupted", "failed", "cancelled"]);
export type ChatRunStatus = z.infer<typeof chatRunStatusSchema>;

/** `GET /runs/:id` and `POST /runs/:id/stop` answer. */
export const runSummarySchema = z.object({
  id: z.string(),
  threadId: z.string(),
  status: chatRunStatusSchema,
  background: z.boolean(),
  lastSeq: z.number().int(),
  errorCode: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;
export const runResponseSchema = z.object({ run: runSummarySchema });
export type RunResponse = z.infer<typeof runResponseSchema>;

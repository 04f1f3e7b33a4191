import { z } from "zod";

/*
 * The pieces the agent's events are made of (see agent-events.ts). Defined once, here: `@ragkit/core`'s agent
 * state and the plain-SSE events (chat.ts) are built from these schemas, so the agent, the server's mappers and
 * the clients cannot disagree on what a citation or a tool call is.
 */

/** The agent's graph steps. */
export const stepSchema = z.enum([
  "start",
  "analyze",
  "rewrite",
  "retrieve",
  "rerank",
  "generate",
  "validate",
  "respond",
  "query",
  "approve",
]);
export type AgentStep = z.infer<typeof stepSchema>;

/** "data": computed from the tenant's structured data by the read-only SQL tool. */
export const answerKindSchema = z.enum(["extractive", "generative", "conversational", "data", "none"]);
export type AnswerKind = z.infer<typeof answerKindSchema>;

export const citationSchema = z.object({
  /** The number in the answer's "[n]" marker. */
  marker: z.number().int().min(1),
  chunkId: z.string(),
  documentId: z.string(),
  documentTitle: z.string().nullable(),
  /** [start, end) offsets of the quoted span in the document text. */
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  quote: z.string(),
  pageNumber: z.number().int().nullable(),
});
export type Citation = z.infer<typeof citationSchema>;

export const claimCheckSchema = z.object({
  sentence: z.string(),
  markers: z.array(z.number().int()),
  supported: z.boolean(),
  /** Fraction of the sentence's content terms found in its cited passages (0..1). */
  overlap: z.number().min(0).max(1),
  reason: z.string().optional(),
});
export type ClaimCheck = z.infer<typeof claimCheckSchema>;

export const validationSchema = z.object({
  status: z.enum(["supported", "partially_supported", "unsupported"]),
  claims: z.array(claimCheckSchema),
  /** Problems found, one line each (unknown markers, uncited claims, numbers absent from the source, …). */
  issues: z.array(z.string()),
});
export type ValidationResult = z.infer<typeof validationSchema>;

/** A tool call as an assistant message records it (its result follows as a `tool` message). */
export const conversationToolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  args: z.record(z.string(), z.unknown()),
});
export type ConversationToolCall = z.infer<typeof conversationToolCallSchema>;

/** A tool the agent ran this turn, with its arguments and result (rendered by the UI, e.g. a chart). */
export const toolCallSchema = conversationToolCallSchema.extend({ result: z.unknown() });
export type ToolCall = z.infer<typeof toolCallSchema>;

/** A message of a thread, under the id it was streamed with (one shape live, in replays and the threads API). */
export const conversationMessageSchema = z.object({
  id: z.string(),
  role: z.enum(["user", "assistant", "tool"]),
  content: z.string(),
  /** Assistant messages: the tools it called (results follow as `tool` messages). */
  toolCalls: z.array(conversationToolCallSchema).optional(),
  /** Tool messages: the call they answer. */
  toolCallId: z.string().optional(),
});
export type ConversationMessage = z.infer<typeof conversationMessageSchema>;

/** What a step or tool asks a human to approve. */
export const approvalRequestSchema = z.object({
  kind: z.literal("approval"),
  /** The step or tool waiting for approval ("retrieve", "query_database", …). */
  tool: z.string(),
  /** What it is about to do, as JSON (the arguments an "edit" decision replaces). */
  args: z.record(z.string(), z.unknown()),
  /** Why approval is asked for, user-facing. */
  reason: z.string(),
});
export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;

/**
 * An approval the run is waiting for (answer it with `POST /threads/:id/resume`), with LangGraph's interrupt id
 * and the assistant message that shows it (absent on requests made inside a tool).
 */
export const pendingInterruptSchema = approvalRequestSchema.extend({
  id: z.string(),
  messageId: z.string().optional(),
});
export type PendingInterrupt = z.infer<typeof pendingInterruptSchema>;

export const approvalDecisionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("approve") }),
  z.object({ type: z.literal("reject"), reason: z.string().max(2000).optional() }),
  z.object({ type: z.literal("edit"), args: z.record(z.string(), z.unknown()) }),
]);
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

const tokenCounts = {
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  totalTokens: z.number().int().min(0),
};

/** Tokens used by one model call of the agent, tagged with the role that made it. */
export const modelUsageSchema = z.object({
  /** analyze, rewrite, rerank, generate, validate or respond. */
  role: z.string(),
  /** The provider's model name (e.g. "gpt-4o-mini"). */
  model: z.string(),
  ...tokenCounts,
});
export type ModelUsage = z.infer<typeof modelUsageSchema>;

/** Token usage of one run, summed over its model calls (offline models use none). */
export const runUsageSchema = z.object({
  ...tokenCounts,
  /** Number of model calls. */
  calls: z.number().int().min(0),
  /** Per role and model, in order of first use. */
  byRole: z.array(modelUsageSchema),
});
export type RunUsage = z.infer<typeof runUsageSchema>;

import { z } from "zod";
import { chatIdSchema, chatInterruptSchema, chatRunStatusSchema, runSummarySchema } from "./chat.js";
import { timestampSchema } from "./cursors.js";
import { jsonObjectSchema } from "./json.js";
import { textSchema } from "./text.js";

/** One conversation of the caller's tenant (`GET /threads`). */
export const threadSummarySchema = z.object({
  threadId: z.string(),
  title: z.string().nullable(),
  runCount: z.number().int(),
  lastRunId: z.string(),
  lastStatus: chatRunStatusSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ThreadSummary = z.infer<typeof threadSummarySchema>;

export const threadListResponseSchema = z.object({
  threads: z.array(threadSummarySchema),
  /** Pass as `before` to get the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type ThreadListResponse = z.infer<typeof threadListResponseSchema>;

export const listThreadsQuerySchema = z.object({
  limit: z.coerce.number("must be a number").int("must be an integer").min(1).max(200).default(50),
  /** The previous page's `nextCursor` (an ISO timestamp). */
  before: timestampSchema.optional(),
});

/** `PATCH /threads/:id`: rename a conversation (surrounding whitespace is dropped). */
export const renameThreadRequestSchema = z.object({
  title: textSchema.trim().min(1, "must not be empty").max(200),
});
export type RenameThreadRequest = z.infer<typeof renameThreadRequestSchema>;
/** `PATCH /threads/:id` response: the renamed conversation as the list shows it. */
export const threadSummaryResponseSchema = z.object({ thread: threadSummarySchema });
export type ThreadSummaryResponse = z.infer<typeof threadSummaryResponseSchema>;

/** `GET /threads/:id/checkpoints` query string. */
export const listCheckpointsQuerySchema = z.object({
  limit: z.coerce.number("must be a number").int("must be an integer").min(1).max(1000).default(100),
});

/** A text turn of a thread, under the id the live stream and the AG-UI replay use for the same message. */
export const threadMessageSchema = z.object({
  id: z.string(),
  role: z.enum(["user", "assistant"]),
  content: z.string(),
});
export type ThreadMessage = z.infer<typeof threadMessageSchema>;

/** `GET /threads/:id`: messages, the agent's last state and a pending approval, if any. */
export const threadDetailSchema = z.object({
  threadId: z.string(),
  messages: z.array(threadMessageSchema),
  state: z.record(z.string(), z.unknown()),
  interrupt: chatInterruptSchema.nullable(),
  runs: z.array(runSummarySchema),
});
export type ThreadDetail = z.infer<typeof threadDetailSchema>;
export const threadResponseSchema = z.object({ thread: threadDetailSchema });
export type ThreadResponse = z.infer<typeof threadResponseSchema>;

export const checkpointSummarySchema = z.object({
  checkpointId: z.string(),
  parentCheckpointId: z.string().nullable(),
  step: z.number().int(),
  source: z.string(),
  node: z.string(),
  createdAt: z.string(),
  next: z.array(z.string()),
});
export type ThreadCheckpoint = z.infer<typeof checkpointSummarySchema>;
export const checkpointListResponseSchema = z.object({ checkpoints: z.array(checkpointSummarySchema) });
export type CheckpointListResponse = z.infer<typeof checkpointListResponseSchema>;

/** `POST /threads/:id/resume`: answer the pending approval; the rest of the run streams as plain SSE. */
export const chatApprovalDecisionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("approve") }),
  z.object({ type: z.literal("reject"), reason: textSchema.max(2000).optional() }),
  z.object({ type: z.literal("edit"), args: jsonObjectSchema({ maxDepth: 16, maxBytes: 64 * 1024 }) }),
]);
export type ChatApprovalDecision = z.infer<typeof chatApprovalDecisionSchema>;
export const resumeRequestSchema = z.object({
  decision: chatApprovalDecisionSchema,
  runId: chatIdSchema.optional(),
  background: z.boolean().default(false),
});
export type ResumeRequest = z.input<typeof resumeRequestSchema>;

/** `POST /threads/:id/fork`: branch at a checkpoint (LangGraph time travel); continue with `/threads/:id/continue`. */
export const forkRequestSchema = z.object({ checkpointId: textSchema.min(1).max(64) });
export type ForkRequest = z.infer<typeof forkRequestSchema>;
export const forkResponseSchema = z.object({
  threadId: z.string(),
  checkpointId: z.string(),
  next: z.array(z.string()),
});
export type ForkResponse = z.infer<typeof forkResponseSchema>;

import { MessagesValue, ReducedValue, StateSchema } from "@langchain/langgraph";
import {
  answerKindSchema,
  citationSchema,
  stepSchema,
  toolCallSchema,
  validationSchema,
} from "@ragkit/protocol";
import { z } from "zod";
import { approvalStateSchema } from "./approval.js";
import { conversationToolCallSchema } from "./messages.js";
import { type ModelUsage, modelUsageSchema } from "./usage.js";

/** What the user asked for, as the analyze step understood it. */
export const intentSchema = z.enum([
  "factual",
  "analytical",
  "conversational",
  "data_question",
  "chart_request",
]);
export type Intent = z.infer<typeof intentSchema>;

export const analysisSchema = z.object({
  intent: intentSchema,
  /** Salient terms of the message (surface forms). */
  entities: z.array(z.string()),
  /** The message continues the previous turn ("and what about X?"). */
  followUp: z.boolean(),
  /** Set by an LLM analyzer: false when the message can be answered without searching the documents. */
  needsRetrieval: z.boolean().optional(),
});
export type Analysis = z.infer<typeof analysisSchema>;

export const rewriteSchema = z.object({
  /** A standalone version of the question, with the previous turn's topic folded in for follow-ups. */
  standalone: z.string(),
  /** The queries actually searched (the standalone query first), 1–4 of them. */
  variations: z.array(z.string()).min(1).max(4),
  /** Stemmed terms of the current message (weighted higher by the reranker than context terms). */
  focusTerms: z.array(z.string()),
  /** Stemmed terms carried over from the previous turn. */
  contextTerms: z.array(z.string()),
  /**
   * HyDE: a hypothetical answer written by an LLM rewriter. Its embedding is searched dense-only and fused with
   * the variations (an answer-shaped text lands closer to answer passages than the question does).
   */
  hypothetical: z.string().optional(),
});
export type Rewrite = z.infer<typeof rewriteSchema>;

export const sentenceSchema = z.object({
  text: z.string(),
  /** [start, end) offsets into the *document* text (not the chunk). */
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  score: z.number(),
});
export type ScoredSentence = z.infer<typeof sentenceSchema>;

export const passageSchema = z.object({
  chunkId: z.string(),
  documentId: z.string(),
  documentTitle: z.string().nullable(),
  text: z.string(),
  /** [start, end) offsets of the chunk in the document text. */
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  pageNumber: z.number().int().nullable(),
  sectionTitle: z.string().nullable(),
  /** RRF score over the query variations. */
  fusedScore: z.number(),
  /** Set by the reranker. */
  rerankScore: z.number().optional(),
  /** Set by contextual compression: the sentences worth quoting, with document offsets. */
  sentences: z.array(sentenceSchema).optional(),
  /** Later pages' start offsets inside a chunk that spans pages (see `pageAt`). */
  pageStarts: z.array(z.tuple([z.number().int(), z.number().int()])).optional(),
});
export type Passage = z.infer<typeof passageSchema>;

// What the agent's events carry (citations, validation, steps, tool calls) is wire protocol, defined once in
// @ragkit/protocol; re-exported under the names `@ragkit/core` always had. The rest of this file is core-only.
export {
  type AgentStep,
  type AnswerKind,
  answerKindSchema,
  type Citation,
  type ClaimCheck,
  citationSchema,
  claimCheckSchema,
  stepSchema,
  type ToolCall,
  toolCallSchema,
  type ValidationResult,
  validationSchema,
} from "@ragkit/protocol";

/**
 * The agent's graph state (LangGraph `StateSchema`, validated with zod on input and on every node output).
 * Checkpointed per thread, so `messages` carries the conversation across turns; the per-turn fields are
 * reset by `analyze` at the start of each turn. `tenantId`/`userId` are a record of who the thread belongs
 * to, written by the agent from the verified TenantContext; nodes never read the tenant from here.
 */
export const RagAgentState = new StateSchema({
  messages: MessagesValue,
  tenantId: z.string().default(""),
  userId: z.string().nullable().default(null),
  threadId: z.string().default(""),
  analysis: analysisSchema.nullable().default(null),
  /** The query rewrites of the last retrieval turn (kept across turns: a follow-up builds on it). */
  queries: rewriteSchema.nullable().default(null),
  passages: z.array(passageSchema).default(() => []),
  step: stepSchema.default("start"),
  /** Short user-facing progress notes for this turn; nodes return new ones, the reducer appends. */
  thoughts: new ReducedValue(
    z.array(z.string()).default(() => []),
    {
      inputSchema: z.array(z.string()),
      reducer: (current: string[], next: string[]) => [...current, ...next],
    },
  ),
  progress: z.number().min(0).max(1).default(0),
  answer: z.string().default(""),
  answerKind: answerKindSchema.default("none"),
  citations: z.array(citationSchema).default(() => []),
  validation: validationSchema.nullable().default(null),
  toolCalls: z.array(toolCallSchema).default(() => []),
  /** A step's pending or answered approval this turn (see `approve`). */
  approval: approvalStateSchema.nullable().default(null),
  /**
   * Client tool calls the answer model made that wait for the client's results (the turn continues when they
   * arrive), and the node that made them.
   */
  pendingToolCalls: z.array(conversationToolCallSchema).default(() => []),
  toolNode: z.enum(["generate", "respond"]).nullable().default(null),
  /** Answers generated this turn (1, or 2 after a regeneration requested by validation). */
  attempts: z.number().int().min(0).default(0),
  /** Token usage of this turn's model calls; nodes return new records, the reducer appends (analyze resets). */
  usage: new ReducedValue(
    z.array(modelUsageSchema).default(() => []),
    {
      inputSchema: z.array(modelUsageSchema),
      reducer: (current: ModelUsage[], next: ModelUsage[]) => [...current, ...next],
    },
  ),
});

export type RagAgentStateValue = typeof RagAgentState.State;
export type RagAgentStateUpdate = typeof RagAgentState.Update;

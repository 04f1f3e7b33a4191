import { interrupt } from "@langchain/langgraph";
import {
  type ApprovalDecision,
  type ApprovalRequest,
  approvalDecisionSchema,
  approvalRequestSchema,
} from "@ragkit/protocol";
import { z } from "zod";
import { ValidationError } from "../errors/index.js";

/**
 * Human-in-the-loop approval. A step or tool that needs a human's go-ahead calls `requestApproval(request)`:
 * LangGraph's `interrupt()` checkpoints the run and ends it; `agent.resume({ decision })` continues it with
 * `new Command({ resume: decision })`, and `requestApproval` then returns that decision.
 *
 * On resume LangGraph re-runs the whole node from its start, so everything a node does before
 * `requestApproval` must be free of side effects (or idempotent); do the work after the decision.
 */
// The request, the pending interrupt and the decision travel in the agent's events: defined in @ragkit/protocol.
export {
  type ApprovalDecision,
  type ApprovalRequest,
  approvalDecisionSchema,
  approvalRequestSchema,
  type PendingInterrupt,
  pendingInterruptSchema,
} from "@ragkit/protocol";

/** Steps that can be gated with `requireApprovalFor`. Tools (SQL, …) will add theirs. */
export const approvalStepSchema = z.enum(["retrieve", "query_database"]);
export type ApprovalStep = z.infer<typeof approvalStepSchema>;

/** The arguments of each gated step/tool, which an "edit" decision must satisfy. */
export const approvalArgsSchemas: Record<string, z.ZodType<Record<string, unknown>>> = {
  retrieve: z.object({ queries: z.array(z.string().trim().min(1).max(1000)).min(1).max(4) }),
  // Edited SQL is validated again by the SQL tool's parser before it runs.
  query_database: z.object({ sql: z.string().trim().min(1).max(10_000) }),
};

/** Checks a decision, including edited arguments against the tool's schema. Throws ValidationError. */
export function parseDecision(tool: string, raw: unknown): ApprovalDecision {
  const parsed = approvalDecisionSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError("Invalid approval decision: expected approve, reject or edit.", {
      details: parsed.error.issues.map((i) => ({ path: `decision.${i.path.join(".")}`, message: i.message })),
    });
  }
  const schema = approvalArgsSchemas[tool];
  if (parsed.data.type === "edit") {
    const args = schema ? schema.safeParse(parsed.data.args) : { success: false as const };
    if (!args.success) {
      throw new ValidationError(`Invalid edited arguments for "${tool}".`, {
        details: [
          { path: "decision.args", message: schema ? "does not match the tool's arguments" : "not editable" },
        ],
      });
    }
    return { type: "edit", args: args.data };
  }
  return parsed.data;
}

/** Pauses the run until a human decides (inside a graph node only). Returns the validated decision. */
export function requestApproval(request: ApprovalRequest): ApprovalDecision {
  return parseDecision(
    request.tool,
    interrupt<ApprovalRequest, unknown>(approvalRequestSchema.parse(request)),
  );
}

/**
 * A step's approval in the graph state: the request, the note message that shows it, and — once a person
 * answered — the decision. Set by the step (query, retrieve), answered in the `approve` node, cleared per turn.
 */
export const approvalStateSchema = z.object({
  request: approvalRequestSchema,
  messageId: z.string(),
  /** The question of the turn (the step re-runs after the decision, when the last message may be a reply). */
  question: z.string(),
  decision: approvalDecisionSchema.nullable(),
});
export type ApprovalState = z.infer<typeof approvalStateSchema>;

const APPROVE_WORDS = /^\s*(?:approve|approved|yes|ok|okay)\s*[.!]*\s*$/i;
const REJECT_WORDS = /^\s*(?:reject|rejected|no|cancel)\s*[.!]*\s*$/i;

/** A chat message that answers a pending approval ("approve", "reject"), for chats without approval buttons. */
export function approvalReplyDecision(message: string): ApprovalDecision | null {
  if (APPROVE_WORDS.test(message)) return { type: "approve" };
  if (REJECT_WORDS.test(message)) return { type: "reject" };
  return null;
}

/**
 * The assistant message that shows a pending approval in any chat, with or without an approval UI: what would
 * run, and how to answer.
 */
export function approvalNote(request: ApprovalRequest): string {
  const args =
    typeof request.args.sql === "string"
      ? `\n\n\`\`\`sql\n${request.args.sql}\n\`\`\``
      : Array.isArray(request.args.queries)
        ? `\n\n${(request.args.queries as unknown[]).map((q) => `- ${String(q)}`).join("\n")}`
        : `\n\n\`\`\`json\n${JSON.stringify(request.args, null, 2)}\n\`\`\``;
  return (
    `Waiting for your approval to run ${request.tool}: ${request.reason}${args}\n\n` +
    "Reply approve to run it or reject to skip it (or use the approval buttons if your chat shows them). " +
    "Sending another message skips it."
  );
}

/** Appended to the note when the user sent a new message instead of answering. */
export const SUPERSEDED_NOTE = "\n\nNot run: you sent a new message instead.";

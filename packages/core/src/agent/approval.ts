import { interrupt } from "@langchain/langgraph";
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
export const approvalRequestSchema = z.object({
  kind: z.literal("approval"),
  /** The step or tool waiting for approval ("retrieve", later "sql", …). */
  tool: z.string(),
  /** What it is about to do, as JSON (the arguments an "edit" decision replaces). */
  args: z.record(z.string(), z.unknown()),
  /** Why approval is asked for, user-facing. */
  reason: z.string(),
});
export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;

/** An approval request waiting on a thread, with LangGraph's interrupt id. */
export const pendingInterruptSchema = approvalRequestSchema.extend({ id: z.string() });
export type PendingInterrupt = z.infer<typeof pendingInterruptSchema>;

export const approvalDecisionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("approve") }),
  z.object({ type: z.literal("reject"), reason: z.string().max(2000).optional() }),
  z.object({ type: z.literal("edit"), args: z.record(z.string(), z.unknown()) }),
]);
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

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

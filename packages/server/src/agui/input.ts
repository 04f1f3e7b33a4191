import {
  type ChatApprovalDecision,
  chatApprovalDecisionSchema,
  chatIdSchema,
  jsonValueSchema,
  textSchema,
} from "@ragkit/protocol";
import { z } from "zod";
import { HttpError, invalidInput } from "../http.js";

/**
 * The parts of AG-UI's `RunAgentInput` this server uses. Lenient on everything else (CopilotKit sends tools,
 * context and state we do not need); unknown fields — including any tenant id — are dropped.
 */
export const runAgentInputSchema = z.object({
  threadId: chatIdSchema,
  runId: chatIdSchema,
  messages: z
    .array(
      z.object({ id: textSchema.max(200), role: textSchema.max(32), content: jsonValueSchema().optional() }),
    )
    .max(10_000)
    .default([]),
  state: jsonValueSchema().optional(),
  forwardedProps: jsonValueSchema().optional(),
  /** AG-UI's standard interrupt answers (what CopilotKit's `useInterrupt` sends for `outcome: "interrupt"`). */
  resume: z
    .array(
      z.object({
        interruptId: textSchema.max(200),
        status: z.enum(["resolved", "cancelled"]),
        payload: jsonValueSchema().optional(),
      }),
    )
    .max(10)
    .optional(),
});
export type RunAgentInput = z.infer<typeof runAgentInputSchema>;

/** `{ method, params, body }`: CopilotKit's single-endpoint transport. */
export const envelopeSchema = z.object({
  method: z.enum(["info", "agent/run", "agent/connect", "agent/stop"]),
  params: z
    .object({ agentId: textSchema.max(64).optional(), threadId: textSchema.max(128).optional() })
    .default({}),
  body: jsonValueSchema().optional(),
});

/** The optional body of `POST …/agent/:agentId/stop/:threadId`: which run to stop (default: every run of the thread). */
export const stopInputSchema = z.object({ runId: chatIdSchema.optional() }).optional();

/** The text of a message's content: a string, or AG-UI's multimodal parts (text parts only). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === "object" && (part as { type?: unknown }).type === "text"
          ? String((part as { text?: unknown }).text ?? "")
          : "",
      )
      .join("");
  }
  return "";
}

const resumeCarrier = z.object({ command: z.object({ resume: z.unknown() }) });

/**
 * The approval decision of a resumed run, as CopilotKit's `useInterrupt` sends it: AG-UI's standard
 * `resume: [{interruptId, status, payload}]` ("cancelled" rejects), or the legacy
 * `forwardedProps.command.resume` (like its LangGraph integration). A payload may be a decision object
 * (`{type: "approve"|"reject"|"edit", …}`), its JSON string, `true`/`false`, `{approved: boolean}` or the words
 * approve/reject. Null when the run is not a resume.
 */
export function resumeDecision(input: RunAgentInput): ChatApprovalDecision | null {
  const standard = input.resume?.[0];
  if (standard) {
    if (standard.status === "cancelled") return { type: "reject" };
    return standard.payload === undefined || standard.payload === null
      ? { type: "approve" }
      : toDecision(standard.payload, "resume.0.payload");
  }
  const carrier = resumeCarrier.safeParse(input.forwardedProps);
  if (!carrier.success || carrier.data.command.resume === undefined) return null;
  return toDecision(carrier.data.command.resume, "forwardedProps.command.resume");
}

function toDecision(raw: unknown, path: string): ChatApprovalDecision {
  let value: unknown = raw;
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (["approve", "approved", "yes", "true"].includes(word)) return { type: "approve" };
    if (["reject", "rejected", "no", "false"].includes(word)) return { type: "reject" };
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      // Falls through to the schema check below.
    }
  }
  if (typeof value === "boolean") return value ? { type: "approve" } : { type: "reject" };
  if (value && typeof value === "object" && typeof (value as { approved?: unknown }).approved === "boolean") {
    return (value as { approved: boolean }).approved ? { type: "approve" } : { type: "reject" };
  }
  if (!value || typeof value !== "object" || !("type" in value)) {
    throw new HttpError("invalid_input", `${path} is not an approval decision.`, {
      details: [{ path, message: "expected approve, reject or edit" }],
    });
  }
  // A decision that arrived as a JSON string was never checked with the body: it is checked here, in full.
  const parsed = chatApprovalDecisionSchema.safeParse(value);
  if (!parsed.success) throw invalidInput("approval decision", parsed.error.issues, path.split("."));
  return parsed.data;
}

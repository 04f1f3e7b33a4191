import {
  type ChatApprovalDecision,
  chatApprovalDecisionSchema,
  chatIdSchema,
  jsonObjectSchema,
  jsonValueSchema,
  textSchema,
} from "@ragkit/protocol";
import { z } from "zod";
import { HttpError, invalidInput } from "../http.js";
import { initialState } from "./mapper.js";

/**
 * An AG-UI message as the client holds it. Fields beyond the ones read here are kept (the client's copy is
 * echoed back in MESSAGES_SNAPSHOT when a message changes), but never trusted for anything.
 */
const aguiMessageSchema = z.looseObject({
  id: textSchema.min(1).max(200),
  role: textSchema.max(32),
  content: jsonValueSchema().optional(),
  toolCallId: textSchema.max(200).optional(),
});

/** A tool the client runs itself (CopilotKit useFrontendTool / useCopilotAction). Checked again by the agent. */
const aguiToolSchema = z.object({
  name: textSchema.max(64),
  description: textSchema.max(4000).optional(),
  parameters: jsonObjectSchema().optional(),
});

/** App context (useAgentContext / useCopilotReadable): values that are not strings are sent as JSON. */
const aguiContextSchema = z.object({
  description: textSchema.max(10_000).default(""),
  value: jsonValueSchema().transform((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""))),
});

/**
 * The parts of AG-UI's `RunAgentInput` this server uses; unknown fields — including any tenant id — are
 * dropped. `state` is read only for the app's own keys (see `appStateContext`), as bounded model context.
 */
export const runAgentInputSchema = z.object({
  threadId: chatIdSchema,
  runId: chatIdSchema,
  messages: z.array(aguiMessageSchema).max(10_000).default([]),
  tools: z.array(aguiToolSchema).max(64).default([]),
  context: z.array(aguiContextSchema).max(1000).default([]),
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

/** The shared-state keys the server itself writes (the rest of a client's state is the app's). */
const SERVER_STATE_KEYS = new Set(Object.keys(initialState()));

/**
 * The client's tools and context for the agent: AG-UI `context` entries, plus the app's own keys of the shared
 * state (what CopilotKit's `useCoAgent` setState wrote) as one more entry. The agent bounds their size; they
 * are model context only — the tenant comes from the verified token alone.
 */
export function clientInput(input: RunAgentInput): {
  tools: Array<{ name: string; description?: string; parameters?: Record<string, unknown> }>;
  context: Array<{ description: string; value: string }>;
} {
  const context = input.context.map((c) => ({ description: c.description, value: c.value }));
  if (input.state && typeof input.state === "object" && !Array.isArray(input.state)) {
    const own = Object.fromEntries(
      Object.entries(input.state as Record<string, unknown>).filter(([key]) => !SERVER_STATE_KEYS.has(key)),
    );
    if (Object.keys(own).length > 0) context.push({ description: "App state", value: JSON.stringify(own) });
  }
  return { tools: input.tools, context };
}

/** The trailing tool messages of a client's follow-up run: its results for client tool calls. */
export function trailingToolResults(
  messages: RunAgentInput["messages"],
): Array<{ toolCallId: string; content: string; messageId: string }> {
  const results: Array<{ toolCallId: string; content: string; messageId: string }> = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === "tool"; i--) {
    const m = messages[i]!;
    const content = typeof m.content === "string" ? m.content : (JSON.stringify(m.content ?? null) ?? "");
    results.unshift({ toolCallId: m.toolCallId ?? "", content, messageId: m.id });
  }
  return results;
}

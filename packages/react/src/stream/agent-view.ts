import {
  type ChatCitation,
  type ChatInterrupt,
  type ChatToolCall,
  type ChatValidation,
  chatCitationSchema,
  chatInterruptSchema,
  chatToolCallSchema,
  chatValidationSchema,
} from "@ragkit/protocol";
import { z } from "zod";

/** A document the agent found relevant, with a short preview of the passage it cites. */
export interface FoundDocument {
  documentId: string;
  title: string | null;
  preview: string;
  pageNumber: number | null;
}

/** The agent's progress as the generative UI shows it; built from either chat transport. */
export interface AgentView {
  step: string | null;
  /** 0..1 */
  progress: number;
  thoughts: string[];
  citations: ChatCitation[];
  validation: ChatValidation | null;
  toolCalls: ChatToolCall[];
  interrupt: ChatInterrupt | null;
  /** "none" when nothing in the documents answers the question; null while running or unknown. */
  answerKind: string | null;
  /** One entry per cited document, in citation order. */
  documents: FoundDocument[];
}

/**
 * The shared state the server's AG-UI endpoint publishes (STATE_SNAPSHOT / STATE_DELTA). Parsed field by field
 * with fallbacks: a half-applied delta or a newer server's extra fields must not break the widget.
 */
const sharedStateSchema = z.object({
  step: z.string().nullable().catch(null),
  progress: z.number().min(0).max(1).catch(0),
  thoughts: z.array(z.string()).catch([]),
  citations: z.array(chatCitationSchema).catch([]),
  validation: chatValidationSchema.nullable().catch(null),
  toolCalls: z.array(chatToolCallSchema).catch([]),
  interrupt: chatInterruptSchema.nullable().catch(null),
  answerKind: z.string().nullable().catch(null),
});

function documentsOf(citations: readonly ChatCitation[]): FoundDocument[] {
  const seen = new Map<string, FoundDocument>();
  for (const c of citations) {
    if (seen.has(c.documentId)) continue;
    seen.set(c.documentId, {
      documentId: c.documentId,
      title: c.documentTitle,
      preview: c.quote.length > 160 ? `${c.quote.slice(0, 157)}…` : c.quote,
      pageNumber: c.pageNumber,
    });
  }
  return [...seen.values()];
}

/** Normalises a run state (plain SSE) or CopilotKit's raw `agent.state` into an `AgentView`. */
export function toAgentView(raw: unknown): AgentView {
  const source = typeof raw === "object" && raw !== null ? raw : {};
  const s = sharedStateSchema.parse({
    step: null,
    progress: 0,
    thoughts: [],
    citations: [],
    validation: null,
    toolCalls: [],
    interrupt: null,
    answerKind: null,
    ...source,
  });
  return { ...s, step: s.step === "start" ? null : s.step, documents: documentsOf(s.citations) };
}

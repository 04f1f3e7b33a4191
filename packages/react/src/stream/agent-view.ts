import type { AgentSharedState, ChatCitation } from "@ragkit/protocol";
import { isJsonObject } from "./wire.js";

/** A document the agent found relevant, with a short preview of the passage it cites. */
export interface FoundDocument {
  documentId: string;
  title: string | null;
  preview: string;
  pageNumber: number | null;
}

/**
 * The agent's progress as the generative UI shows it; built from either chat transport. The server's shared
 * state (`AgentSharedState`, from the agent event union in @ragkit/protocol) field for field, so a field added
 * there does not compile here until it is read; `step` and `answerKind` stay open strings, as on the wire (a
 * newer server's agent may have steps this client does not know).
 */
export interface AgentView extends Omit<AgentSharedState, "step" | "answerKind"> {
  step: string | null;
  /** "none" when nothing in the documents answers the question; null while running or unknown. */
  answerKind: string | null;
  /** One entry per cited document, in citation order. */
  documents: FoundDocument[];
}

/**
 * The shared state the server's AG-UI endpoint publishes (STATE_SNAPSHOT / STATE_DELTA), read field by field
 * with fallbacks: a half-applied delta or a newer server's extra fields must not break the widget. The fields'
 * insides are the server's (see stream/wire.ts); only their kind is checked.
 */
function sharedStateOf(source: Record<string, unknown>): Omit<AgentView, "documents"> {
  const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
  const objectOrNull = <T>(value: unknown): T | null => (isJsonObject(value) ? (value as T) : null);
  const { step, progress, thoughts } = source;
  return {
    step: typeof step === "string" ? step : null,
    progress: typeof progress === "number" && progress >= 0 && progress <= 1 ? progress : 0,
    thoughts: list<unknown>(thoughts).filter((t): t is string => typeof t === "string"),
    citations: list<unknown>(source.citations).filter(isCitation),
    validation: objectOrNull<AgentSharedState["validation"]>(source.validation),
    toolCalls: list<AgentSharedState["toolCalls"][number]>(source.toolCalls).filter(isJsonObject),
    interrupt: objectOrNull<AgentSharedState["interrupt"]>(source.interrupt),
    answerKind: typeof source.answerKind === "string" ? source.answerKind : null,
  };
}

/**
 * The fields the widget reads from a citation (marker, ids, quote): a half-applied delta can hold an entry
 * without them, which must be skipped rather than crash the sources list.
 */
function isCitation(value: unknown): value is ChatCitation {
  if (!isJsonObject(value)) return false;
  const c = value as Record<string, unknown>;
  return typeof c.marker === "number" && typeof c.documentId === "string" && typeof c.quote === "string";
}

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
  const s = sharedStateOf(isJsonObject(raw) ? raw : {});
  return { ...s, step: s.step === "start" ? null : s.step, documents: documentsOf(s.citations) };
}

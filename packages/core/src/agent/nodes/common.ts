import type { BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { RagKitError } from "../../errors/index.js";
import type { SearchResult } from "../../search/types.js";
import type { KnowledgeStore } from "../../store/knowledge-store.js";
import { assertTenantContext, type TenantContext } from "../../tenant/context.js";
import type { ReadOnlyQueryOptions } from "../../tools/sql/execute.js";
import type { ApprovalStep } from "../approval.js";
import type { CustomPayload } from "../events.js";
import { isApprovalReply } from "../messages.js";
import type { AgentModels, HistoryTurn } from "../models.js";
import type { AgentStore } from "../options.js";
import type { AgentStep, Passage, RagAgentStateUpdate, RagAgentStateValue } from "../state.js";
import type { ModelUsage } from "../usage.js";

/** Everything the nodes share, resolved once per compiled graph from `RagAgentOptions`. */
export interface GraphDeps {
  models: AgentModels;
  store: AgentStore;
  approvals: ReadonlySet<ApprovalStep>;
  /** The store the SQL tool runs on, or null when data tools are off. */
  sqlStore: KnowledgeStore | null;
  sqlLimits: ReadOnlyQueryOptions;
  retrieveTopK: number;
  maxCandidates: number;
  /** Regenerate once when the judge finds the answer unsupported (only with a `judge` model). */
  regenerate: boolean;
  /** Let the answer model call tools (search_knowledge_base). */
  answerTools: boolean;
  /**
   * Pause between the words of text the agent composes itself (offline answers and replies, data answers,
   * approval notes), so that it visibly streams; 0 = as fast as possible. Model output keeps its own pace.
   */
  offlineStreamDelayMs: number;
  /** Which answer models are the offline defaults (their text is paced). */
  offline: { answer: boolean; respond: boolean };
}

export type NodeFn = (
  state: RagAgentStateValue,
  config: LangGraphRunnableConfig,
) => Promise<RagAgentStateUpdate>;

export const PROGRESS: Record<AgentStep, number> = {
  start: 0,
  analyze: 0.1,
  rewrite: 0.2,
  retrieve: 0.45,
  rerank: 0.6,
  generate: 0.85,
  validate: 1,
  respond: 1,
  query: 1,
  approve: 0.5,
};

/** The tenant of a run: only ever from the run's config, set by `agent.stream` from the caller's context. */
export function tenantFromConfig(config: LangGraphRunnableConfig): TenantContext {
  const tenant: unknown = config.configurable?.tenant;
  assertTenantContext(tenant);
  return tenant;
}

export function write(config: LangGraphRunnableConfig, payload: CustomPayload): void {
  config.writer?.(payload);
}

export function throwIfAborted(config: LangGraphRunnableConfig): void {
  if (config.signal?.aborted) throw new RagKitError("aborted", "The run was cancelled.");
}

/** Wraps a node: announces the step, stops on abort, records step and progress. */
export function step(name: AgentStep, fn: NodeFn): NodeFn {
  return async (state, config) => {
    throwIfAborted(config);
    write(config, { type: "step_started", step: name });
    const update = await fn(state, config);
    throwIfAborted(config);
    return { ...update, step: name, progress: PROGRESS[name] };
  };
}

/**
 * Collects what model calls report during one node (token usage, notes for the user) so the node can return
 * them in its update: usage is checkpointed with the step that spent it.
 */
export function callbacks(signal: AbortSignal | undefined) {
  const usage: ModelUsage[] = [];
  const notes: string[] = [];
  return {
    usage,
    notes,
    input: {
      onUsage: (u: ModelUsage) => usage.push(u),
      onNote: (n: string) => notes.push(n),
      ...(signal ? { signal } : {}),
    },
  };
}

/**
 * The turn's question (the last user message that is not a reply to an approval) and the conversation before
 * it: user and assistant text only (tool traffic and approval replies left out).
 */
export function lastUserMessage(messages: readonly BaseMessage[]): {
  message: string;
  history: HistoryTurn[];
} {
  const index = messages.findLastIndex((m) => m.getType() === "human" && !isApprovalReply(m));
  const history = messages.slice(0, Math.max(0, index)).flatMap((m): HistoryTurn[] => {
    const type = m.getType();
    if (type === "human" && !isApprovalReply(m)) return [{ role: "user", content: m.text }];
    return type === "ai" && m.text.trim() !== "" ? [{ role: "assistant", content: m.text }] : [];
  });
  return { message: index >= 0 ? messages[index]!.text : "", history };
}

/** The messages of this turn after its question (tool calls and results, approval notes and replies). */
export function turnMessages(messages: readonly BaseMessage[]): BaseMessage[] {
  const index = messages.findLastIndex((m) => m.getType() === "human" && !isApprovalReply(m));
  return messages.slice(index + 1);
}

/** Words with their trailing space; the pieces concatenate to exactly `text`. */
export function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/**
 * Writes the text deltas of one assistant message. With `paced`, each delta after the first waits
 * `offlineStreamDelayMs` (text the agent composes in microseconds would otherwise arrive as one blob);
 * `drain()` resolves when everything is written. Nothing is written after an abort.
 */
export function textWriter(
  config: LangGraphRunnableConfig,
  deps: Pick<GraphDeps, "offlineStreamDelayMs">,
  messageId: string,
  paced: boolean,
) {
  const delay = paced ? deps.offlineStreamDelayMs : 0;
  let chain: Promise<void> = Promise.resolve();
  let count = 0;
  const emit = (delta: string, reset: boolean) => {
    if (config.signal?.aborted) return;
    write(config, { type: "text_delta", messageId, delta, ...(reset ? { reset: true } : {}) });
  };
  return {
    write(delta: string, reset = false): void {
      if (delay <= 0) {
        emit(delta, reset);
        return;
      }
      const wait = count++ > 0;
      chain = chain.then(async () => {
        if (wait) await sleep(delay, config.signal);
        emit(delta, reset);
      });
    },
    /** Streams a whole text word by word. */
    text(text: string): void {
      for (const piece of words(text)) this.write(piece);
    },
    drain: () => chain,
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export function toPassage(result: SearchResult, fusedScore: number): Passage {
  return {
    chunkId: result.chunkId,
    documentId: result.documentId,
    documentTitle: result.documentTitle,
    text: result.text,
    start: result.start,
    end: result.end,
    pageNumber: result.pageNumber,
    sectionTitle: result.sectionTitle,
    fusedScore,
    ...pageStartsOf(result.metadata),
  };
}

function pageStartsOf(metadata: Record<string, unknown>): Pick<Passage, "pageStarts"> {
  const raw = metadata.pageStarts;
  const ok =
    Array.isArray(raw) &&
    raw.every((p) => Array.isArray(p) && p.length === 2 && Number.isInteger(p[0]) && Number.isInteger(p[1]));
  return ok ? { pageStarts: raw as Array<[number, number]> } : {};
}

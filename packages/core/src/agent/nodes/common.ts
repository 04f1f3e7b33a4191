import type { BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { RagKitError } from "../../errors/index.js";
import type { SearchResult } from "../../search/types.js";
import type { KnowledgeStore } from "../../store/knowledge-store.js";
import { assertTenantContext, type TenantContext } from "../../tenant/context.js";
import type { ReadOnlyQueryOptions } from "../../tools/sql/execute.js";
import type { ApprovalStep } from "../approval.js";
import type { CustomPayload } from "../events.js";
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

export function lastUserMessage(messages: readonly BaseMessage[]): {
  message: string;
  history: HistoryTurn[];
} {
  const index = messages.findLastIndex((m) => m.getType() === "human");
  const history = messages.slice(0, Math.max(0, index)).flatMap((m): HistoryTurn[] => {
    const type = m.getType();
    return type === "human" || type === "ai"
      ? [{ role: type === "human" ? "user" : "assistant", content: m.text }]
      : [];
  });
  return { message: index >= 0 ? messages[index]!.text : "", history };
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

import { reciprocalRankFusion } from "../../search/fusion.js";
import type { SearchInput, SearchResult } from "../../search/types.js";
import type { TenantContext } from "../../tenant/context.js";
import type { AgentStore } from "../options.js";
import type { Passage } from "../state.js";
import { approvalNoteUpdate } from "./approve.js";
import {
  type GraphDeps,
  lastUserMessage,
  step,
  tenantFromConfig,
  throwIfAborted,
  toPassage,
} from "./common.js";

export interface RetrieveQueries {
  /** Searched hybrid (dense + lexical). */
  variations: readonly string[];
  /** HyDE: a hypothetical answer, searched dense-only (its words are not the user's: no lexical channel). */
  hypothetical?: string | undefined;
}

/**
 * Searches every query for the tenant and fuses the lists with RRF. A KnowledgeStore runs them in one
 * transaction (`searchMany`); any other store is searched one query at a time. Sequential either way: an
 * embedded PGlite is one session, and once `signal` is aborted no further search starts.
 */
export async function searchPassages(
  store: AgentStore,
  tenant: TenantContext,
  queries: RetrieveQueries,
  options: { topK: number; maxCandidates: number; signal?: AbortSignal | undefined },
): Promise<Passage[]> {
  const searches: SearchInput[] = queries.variations.map((query) => ({
    query,
    mode: "hybrid",
    topK: options.topK,
  }));
  if (queries.hypothetical?.trim()) {
    searches.push({ query: queries.hypothetical.slice(0, 10_000), mode: "dense", topK: options.topK });
  }
  let lists: SearchResult[][] = [];
  if (store.searchMany) {
    try {
      lists = await store.searchMany(tenant, searches, { signal: options.signal });
    } catch (error) {
      // Cancelled between two searches: the caller reports the cancellation (as for the loop below).
      if (options.signal?.aborted) return [];
      throw error;
    }
  } else {
    for (const search of searches) {
      if (options.signal?.aborted) break;
      lists.push(await store.search(tenant, search));
    }
  }
  const byChunk = new Map(lists.flat().map((r) => [r.chunkId, r]));
  const fused = reciprocalRankFusion(
    lists.map((items) => ({ weight: 1, items })),
    (r) => r.chunkId,
  ).slice(0, options.maxCandidates);
  return fused.map((f) => toPassage(byChunk.get(f.key)!, f.score));
}

export function retrieveNode(deps: GraphDeps) {
  return step("retrieve", async (state, config) => {
    const tenant = tenantFromConfig(config);
    let variations = state.queries!.variations;
    if (deps.approvals.has("retrieve")) {
      const approval = state.approval?.request.tool === "retrieve" ? state.approval : null;
      if (!approval?.decision) {
        // Ask first (a note message + the `approve` node); the step runs again with the decision.
        const request = {
          kind: "approval" as const,
          tool: "retrieve",
          args: { queries: [...variations] },
          reason: "Searching the knowledge base requires approval (requireApprovalFor: retrieve).",
        };
        const { message } = lastUserMessage(state.messages);
        return {
          ...(await approvalNoteUpdate(deps, config, request, message)),
          passages: [],
          thoughts: ["Waiting for approval."],
        };
      }
      const decision = approval.decision;
      if (decision.type === "reject") {
        return {
          passages: [],
          approval: null,
          thoughts: [`The search was not approved${decision.reason ? `: ${decision.reason}` : "."}`],
        };
      }
      if (decision.type === "edit") variations = (decision.args as { queries: string[] }).queries;
    }
    const passages = await searchPassages(
      deps.store,
      tenant,
      { variations, hypothetical: state.queries!.hypothetical },
      { topK: deps.retrieveTopK, maxCandidates: deps.maxCandidates, signal: config.signal },
    );
    throwIfAborted(config);
    const docs = new Set(passages.map((p) => p.documentId)).size;
    return {
      passages,
      approval: null,
      thoughts: [
        passages.length
          ? `Found ${passages.length} passage(s) in ${docs} document(s).`
          : "Found no matching passages.",
      ],
    };
  });
}

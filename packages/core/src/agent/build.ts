import { type BaseCheckpointSaver, END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { ConfigError } from "../errors/index.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { approvalStepSchema } from "./approval.js";
import { isCheckpointStore, TenantCheckpointSaver } from "./checkpointer.js";
import type { AgentModels } from "./models.js";
import { analyzeNode } from "./nodes/analyze.js";
import { approveNode, routeAfterApprove } from "./nodes/approve.js";
import type { GraphDeps } from "./nodes/common.js";
import { generateNode } from "./nodes/generate.js";
import { queryNode } from "./nodes/query.js";
import { rerankNode } from "./nodes/rerank.js";
import { respondNode } from "./nodes/respond.js";
import { retrieveNode } from "./nodes/retrieve.js";
import { rewriteNode } from "./nodes/rewrite.js";
import { shouldRegenerate, validateNode } from "./nodes/validate.js";
import { offlineModels } from "./offline.js";
import type { AgentStore, RagAgentOptions } from "./options.js";
import {
  DEFAULT_RERANK_THRESHOLD,
  routeAfterAnalyze,
  routeAfterGenerate,
  routeAfterQuery,
  routeAfterRetrieve,
  routeStart,
} from "./routing.js";
import { RagAgentState } from "./state.js";

/** Resolves the options into what the nodes share. */
export function graphDeps(options: RagAgentOptions): GraphDeps {
  const models: AgentModels = { ...offlineModels, ...options.models };
  const sqlStore = options.dataTools !== false && isSqlStore(options.store) ? options.store : null;
  return {
    models,
    store: options.store,
    approvals: new Set(z.array(approvalStepSchema).parse(options.requireApprovalFor ?? ["query_database"])),
    sqlStore,
    sqlLimits: typeof options.dataTools === "object" ? options.dataTools : {},
    retrieveTopK: options.retrieveTopK ?? 8,
    maxCandidates: options.maxCandidates ?? 12,
    regenerate: typeof models.judge === "function",
    answerTools: options.answerTools !== false,
    offlineStreamDelayMs: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .parse(options.offlineStreamDelayMs ?? 0),
    offline: { answer: !options.models?.answer, respond: !options.models?.respond },
  };
}

/**
 * Builds the RAG agent graph:
 * START → analyze → (conversational? respond → END) → (data question? query → END) → rewrite → retrieve
 * → (more than N passages? rerank) → generate → validate → (judge found it unsupported, first attempt? generate)
 * → END.
 * A step that needs a person's approval (query, retrieve) adds a note message and goes to `approve`, which
 * pauses (LangGraph interrupt) and returns to the step with the decision. An answer model that calls client
 * tools ends the run (→ END); the client's results start the next run at that model (START → generate/respond).
 */
export function buildRagGraph(options: RagAgentOptions) {
  const deps = graphDeps(options);
  const threshold = options.rerankThreshold ?? DEFAULT_RERANK_THRESHOLD;
  const checkpointer = options.checkpointer ?? defaultCheckpointer(options.store);
  return new StateGraph(RagAgentState)
    .addNode("analyze", analyzeNode(deps))
    .addNode("rewrite", rewriteNode(deps))
    .addNode("retrieve", retrieveNode(deps))
    .addNode("rerank", rerankNode(deps))
    .addNode("generate", generateNode(deps))
    .addNode("validate", validateNode(deps))
    .addNode("respond", respondNode(deps))
    .addNode("query", queryNode(deps))
    .addNode("approve", approveNode())
    .addConditionalEdges(START, routeStart, ["analyze", "generate", "respond"])
    .addConditionalEdges("analyze", (st) => routeAfterAnalyze(st, { dataTools: deps.sqlStore !== null }), [
      "rewrite",
      "respond",
      "query",
    ])
    .addConditionalEdges("query", routeAfterQuery, ["rewrite", "approve", END])
    .addConditionalEdges("approve", routeAfterApprove, ["query", "retrieve", END])
    .addEdge("rewrite", "retrieve")
    .addConditionalEdges("retrieve", (s) => routeAfterRetrieve(s, threshold), [
      "rerank",
      "generate",
      "approve",
    ])
    .addEdge("rerank", "generate")
    .addConditionalEdges("generate", routeAfterGenerate, ["validate", END])
    .addConditionalEdges("validate", (s) => (shouldRegenerate(deps, s) ? "generate" : END), ["generate", END])
    .addEdge("respond", END)
    .compile({ checkpointer });
}

function defaultCheckpointer(store: AgentStore): BaseCheckpointSaver {
  if (isCheckpointStore(store)) return new TenantCheckpointSaver(store);
  throw new ConfigError(
    "createRagAgent needs a checkpointer when the store is not a KnowledgeStore (e.g. checkpointer: new MemorySaver()).",
  );
}

export type RagGraph = ReturnType<typeof buildRagGraph>;

/** A store the SQL tool can run on: a KnowledgeStore (or an object with the same driver surface). */
export function isSqlStore(store: AgentStore): store is KnowledgeStore {
  const s = store as Partial<KnowledgeStore>;
  return (
    typeof s.withTenant === "function" &&
    typeof s.driver?.transaction === "function" &&
    typeof s.schema === "string"
  );
}

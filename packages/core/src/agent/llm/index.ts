import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { createChatModel } from "../../models/create.js";
import { modelsFromEnv } from "../../models/env.js";
import type { AgentModels } from "../models.js";
import { llmAnalyze } from "./analyze.js";
import { supportsTools } from "./call.js";
import { type LlmGenerateOptions, llmGenerate } from "./generate.js";
import { llmJudge } from "./judge.js";
import { type LlmRerankOptions, llmRerank } from "./rerank.js";
import { llmRespond } from "./respond.js";
import { type LlmRewriteOptions, llmRewrite } from "./rewrite.js";
import { llmSummarizeData, llmWriteSql } from "./sql.js";

export { llmAnalysisSchema, llmAnalyze } from "./analyze.js";
export { modelName, parseJsonOutput, supportsTools } from "./call.js";
export { citationsFor, type LlmGenerateOptions, llmGenerate } from "./generate.js";
export { judgeOutputSchema, llmJudge } from "./judge.js";
export { type LlmRerankOptions, llmRerank, llmRerankSchema } from "./rerank.js";
export { llmRespond } from "./respond.js";
export { type LlmRewriteOptions, llmRewrite, llmRewriteSchema } from "./rewrite.js";
export { llmSummarizeData, llmWriteSql, schemaPrompt, writeSqlArgsSchema } from "./sql.js";

/** A chat model for a role, `null` to keep that role's offline default. */
type RoleModel = BaseChatModel | null | undefined;

export interface LlmModelsOptions extends LlmRewriteOptions, LlmRerankOptions, LlmGenerateOptions {
  /** Used by every role that has no model of its own. */
  default: BaseChatModel;
  analyze?: RoleModel;
  rewrite?: RoleModel;
  rerank?: RoleModel;
  generate?: RoleModel;
  /** The judge of `validate`; with it, unsupported answers are regenerated once. `null`: lexical check only. */
  validate?: RoleModel;
  /** Writes the `query` step's SQL (forced `write_sql` tool call) and summarises its result. `null`: offline nlToSql. */
  sql?: RoleModel;
  /** Conversational replies. Default: the generate model. */
  respond?: RoleModel;
}

/**
 * LLM-backed agent models, one chat model per role (see docs/models.md). Pass the result as
 * `createRagAgent({ models })`. A role given `null` is left out, so the agent keeps its offline heuristic.
 */
export function createLlmModels(options: LlmModelsOptions): Partial<AgentModels> {
  const pick = (role: RoleModel, fallback: BaseChatModel = options.default) =>
    role === null ? null : (role ?? fallback);
  const analyze = pick(options.analyze);
  const rewrite = pick(options.rewrite);
  const rerank = pick(options.rerank);
  const generate = pick(options.generate);
  const validate = pick(options.validate);
  const respond = pick(options.respond, generate ?? options.default);
  const models: Partial<AgentModels> = {};
  if (analyze) models.analyze = llmAnalyze(analyze);
  if (rewrite) models.rewrite = llmRewrite(rewrite, options);
  if (rerank) models.rerank = llmRerank(rerank, options);
  if (generate) models.answer = llmGenerate(generate, options);
  if (respond) models.respond = llmRespond(respond, options);
  if (validate) models.judge = llmJudge(validate);
  const sql = pick(options.sql);
  if (sql && supportsTools(sql)) {
    models.writeSql = llmWriteSql(sql);
    models.summarizeData = llmSummarizeData(sql);
  }
  return models;
}

/**
 * The agent's models from environment variables (`modelsFromEnv`: OPENAI_API_KEY, ANTHROPIC_API_KEY,
 * OLLAMA_BASE_URL, RAGKIT_CHAT_MODEL, RAGKIT_MODEL_<ROLE>; RAGKIT_MODEL_RERANK picks the reranker, default the
 * rewrite model). Returns null when no provider is configured: the agent then runs offline.
 */
export function llmModelsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: Omit<LlmModelsOptions, "default"> = {},
): Partial<AgentModels> | null {
  const configs = modelsFromEnv(env);
  if (!configs) return null;
  const rerankSpec = env.RAGKIT_MODEL_RERANK?.trim();
  // The rerank role reuses modelsFromEnv's parsing by presenting its spec as another role's.
  const rerankConfig = rerankSpec
    ? modelsFromEnv({ ...env, RAGKIT_MODEL_REWRITE: rerankSpec })!.rewrite
    : null;
  const generate = createChatModel(configs.generate);
  const rewrite = createChatModel(configs.rewrite);
  return createLlmModels({
    ...options,
    default: generate,
    analyze: createChatModel(configs.analyze),
    rewrite,
    rerank: rerankConfig ? createChatModel(rerankConfig) : rewrite,
    generate,
    validate: createChatModel(configs.validate),
  });
}

import type { SqlAttempt, WriteSqlInput, WriteSqlOutput } from "../../agent/models.js";
import { isRagKitError } from "../../errors/index.js";
import type { KnowledgeStore } from "../../store/knowledge-store.js";
import type { TenantContext } from "../../tenant/context.js";
import type { DescribedDataset } from "./datasets/describe.js";
import { checkReadOnlyQuery, type ReadOnlyQueryOptions } from "./execute.js";

/** A refused proposal: the SQL, the error fed back to the model, and the rejection code (`relation_not_allowed` …). */
export interface ProposalAttempt extends SqlAttempt {
  code: string;
}

export type ProposedSql =
  | { ok: true; sql: string; description: string; attempts: ProposalAttempt[] }
  | { ok: false; reason: string; attempts: ProposalAttempt[] };

export interface ProposeSqlOptions extends ReadOnlyQueryOptions {
  question: string;
  datasets: readonly DescribedDataset[];
  writeSql: (input: WriteSqlInput) => WriteSqlOutput | Promise<WriteSqlOutput>;
  /** Retries after the first proposal, each with the errors so far. Default 2, at most 5. */
  maxRetries?: number;
  signal?: AbortSignal;
  onUsage?: WriteSqlInput["onUsage"];
}

/**
 * Model-written SQL, checked before anyone sees it: each proposal goes through `checkReadOnlyQuery` (validator,
 * then the plan Postgres makes in the tool's read-only scope, fenced and cost-bounded — so a wrong column or type
 * fails here, not after approval); a refused one is sent back with the error, at most `maxRetries` times. Model
 * failures (timeout, rate limit, provider errors) are thrown for the caller to fall back.
 */
export async function proposeSql(
  store: KnowledgeStore,
  ctx: TenantContext,
  options: ProposeSqlOptions,
): Promise<ProposedSql> {
  const retries = Math.min(Math.max(Math.trunc(options.maxRetries ?? 2), 0), 5);
  const attempts: ProposalAttempt[] = [];
  for (let round = 0; round <= retries; round++) {
    const proposal = await options.writeSql({
      question: options.question,
      datasets: options.datasets,
      attempts: attempts.map(({ sql, error }) => ({ sql, error })),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onUsage ? { onUsage: options.onUsage } : {}),
    });
    if (proposal.sql === null) return { ok: false, reason: proposal.reason, attempts };
    if (proposal.sql.trim() === "") {
      attempts.push({
        sql: "",
        error: "No SQL was given: call write_sql with one SELECT statement.",
        code: "empty",
      });
      continue;
    }
    try {
      await checkReadOnlyQuery(store, ctx, proposal.sql, options);
      return {
        ok: true,
        sql: proposal.sql.trim().replace(/;\s*$/, ""),
        description: proposal.description,
        attempts,
      };
    } catch (error) {
      if (!isRagKitError(error) || !["invalid_input", "database_error"].includes(error.code)) throw error;
      attempts.push({
        sql: proposal.sql,
        error: error.message,
        code: error.details[0]?.message ?? error.code,
      });
    }
  }
  return {
    ok: false,
    reason: `The model's SQL was refused ${attempts.length} time(s): ${attempts.at(-1)?.error ?? "no SQL"}`,
    attempts,
  };
}

/** Rejection codes meaning the SQL tried to leave the allowed surface (not a mere mistake like a wrong column). */
export const UNSAFE_CODES: ReadonlySet<string> = new Set([
  "multiple_statements",
  "not_select",
  "recursive_with",
  "relation_not_allowed",
  "function_not_allowed",
  "operator_not_allowed",
  "cast_not_allowed",
  "construct_not_allowed",
  "plan_not_allowed",
]);

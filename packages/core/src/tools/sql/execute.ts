import type { Queryable } from "../../db/driver.js";
import { sqlStateOf } from "../../db/pglite.js";
import { RagKitError, ValidationError } from "../../errors/index.js";
import type { KnowledgeStore } from "../../store/knowledge-store.js";
import { assertTenantContext, type TenantContext } from "../../tenant/context.js";
import {
  checkCostBounds,
  type RelationRows,
  type ResolvedCostLimits,
  resolveCostLimits,
  type SqlCostLimits,
} from "./bounds.js";
import { loadRegistryVersion } from "./datasets/registry.js";
import { appRoleOf, dataSchemaOf, readonlyRoleOf } from "./names.js";
import { planNodes, rootPlan } from "./plan.js";
import { checkPlan, type PlanBaseline, PlanRefused, policyCallsOf } from "./plan-fence.js";
import { refreshStaleStatistics } from "./statistics.js";
import { validateSelect } from "./validate.js";

export interface ReadOnlyQueryOptions extends SqlCostLimits {
  /** Rows returned at most; one more is fetched to detect truncation. Default 1000, at most 10,000. */
  maxRows?: number;
  /**
   * Wall-clock bound in milliseconds. Default 5000, at most 60,000. On a Postgres server it is the statement's
   * `statement_timeout` plus a watchdog that cancels the backend; PGlite cannot interrupt a running statement,
   * so there the cost bounds are what keep a statement short and a late result is discarded.
   */
  timeoutMs?: number;
  /** Accept WITH RECURSIVE (bounded by nothing but the timeout: keep it off on PGlite). Default false. */
  allowRecursive?: boolean;
}

export interface ReadOnlyQueryResult {
  /** Column names of the result (empty when no row was returned). */
  columns: string[];
  rows: Record<string, unknown>[];
  rowCount: number;
  /** True when the query produced more than `maxRows` rows and the rest were dropped. */
  truncated: boolean;
}

function bounded(value: number | undefined, fallback: number, max: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) {
    throw new ValidationError(`${what} must be an integer between 1 and ${max}.`);
  }
  return v;
}

function timeoutError(timeoutMs: number, cause?: unknown): RagKitError {
  return new RagKitError("timeout", `The query was cancelled: it ran longer than ${timeoutMs} ms.`, {
    cause,
  });
}

/** Maps database errors to stable RagKitErrors with a message safe to show a model or a user. */
function toToolError(error: unknown, timeoutMs: number): RagKitError {
  const state = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (state === "57014") return timeoutError(timeoutMs, error);
  if (state === "25006") {
    return new RagKitError(
      "invalid_input",
      `The query tried to write in a read-only transaction: ${message}`,
      {
        cause: error,
      },
    );
  }
  if (state === "42501")
    return new RagKitError("invalid_input", `Permission denied: ${message}`, { cause: error });
  if (error instanceof RagKitError && error.code !== "database_error") return error;
  return new RagKitError("database_error", `The query failed: ${message}`, { cause: error });
}

/** Carries a transaction's result out of `driver.transaction` while making it roll back. */
class RollBack<T> {
  constructor(readonly value: T) {}
}

/**
 * Opens the SQL tool's scope on `tx`: binds the tenant to a scope row (migration 009, as the app role), then
 * makes the transaction READ ONLY and switches, transaction-locally, to the read-only role with a pinned
 * `search_path` (catalog first, the data schema, temp last so no temp table can shadow a view), standard
 * strings (the lexer the validator used) and `statement_timeout`.
 */
async function openScope(tx: Queryable, store: KnowledgeStore, ctx: TenantContext, timeoutMs: number) {
  await tx.query("SELECT set_config('role', $1, true), set_config('ragkit.tenant_id', $2, true)", [
    appRoleOf(store.schema),
    ctx.tenantId,
  ]);
  await tx.query(
    `INSERT INTO ${store.schema}.sql_tool_scope (bound_tenant) VALUES (${store.schema}.current_tenant())`,
  );
  await tx.query("SET TRANSACTION READ ONLY");
  const [session] = await tx.query<{ pid: number }>(
    `SELECT pg_backend_pid() AS pid, set_config('role', $1, true), set_config('statement_timeout', $2, true),
            set_config('search_path', $3, true), set_config('standard_conforming_strings', 'on', true)`,
    [readonlyRoleOf(store.schema), `${timeoutMs}ms`, `pg_catalog, ${dataSchemaOf(store.schema)}, pg_temp`],
  );
  return { pid: session!.pid };
}

/** Runs `fn` in the tool's scope and always rolls back (the scope row must never persist). */
async function inScope<T>(
  store: KnowledgeStore,
  ctx: TenantContext,
  timeoutMs: number,
  fn: (tx: Queryable, scope: { pid: number }) => Promise<T>,
): Promise<T> {
  try {
    await store.driver.transaction(async (tx) => {
      throw new RollBack(await fn(tx, await openScope(tx, store, ctx, timeoutMs)));
    });
  } catch (outcome) {
    if (outcome instanceof RollBack) return outcome.value as T;
    throw outcome;
  }
  throw new Error("unreachable: the scope transaction always rolls back");
}

/** The registered datasets' views: what the validator allows and the fence's baseline is taken from. */
export async function registeredViews(store: KnowledgeStore): Promise<{ views: string[]; key: string }> {
  return loadRegistryVersion(store.driver, { schema: store.schema });
}

const baselines = new WeakMap<KnowledgeStore, Map<string, Promise<PlanBaseline>>>();

/** The plan of a bare view, as the read-only role sees it (quoted: a dataset may be named like a keyword). */
async function viewPlan(tx: Queryable, store: KnowledgeStore, view: string) {
  return rootPlan(
    await tx.query(`EXPLAIN (VERBOSE, FORMAT JSON) SELECT * FROM ${dataSchemaOf(store.schema)}."${view}"`),
  );
}

/**
 * What the bare views scan and call (their base tables and policy expressions), as Postgres plans them. Cached
 * per store and registry version (`key`): registering, replacing or removing a dataset — in any process —
 * changes the key, and so the baseline.
 */
function baselineOf(
  store: KnowledgeStore,
  ctx: TenantContext,
  views: readonly string[],
  key: string,
): Promise<PlanBaseline> {
  let perStore = baselines.get(store);
  if (!perStore) {
    perStore = new Map();
    baselines.set(store, perStore);
  }
  let baseline = perStore.get(key);
  if (!baseline) {
    baseline = inScope(store, ctx, 5000, async (tx) => {
      const relations = new Set<string>();
      const policyCalls = new Set<string>();
      for (const view of views) {
        const root = await viewPlan(tx, store, view);
        for (const node of planNodes(root)) {
          if (node["Relation Name"] !== undefined) relations.add(`${node.Schema}.${node["Relation Name"]}`);
        }
        for (const call of policyCallsOf(root)) policyCalls.add(call);
      }
      return { relations, policyCalls };
    });
    const cache = perStore;
    baseline.catch(() => cache.delete(key));
    cache.set(key, baseline);
  }
  return baseline;
}

/** Rows of each base relation the bare views scan, for this tenant (the planner's estimate, statistics fresh). */
async function relationRowsOf(
  tx: Queryable,
  store: KnowledgeStore,
  views: readonly string[],
): Promise<RelationRows> {
  const rows = new Map<string, number>();
  for (const view of views) {
    for (const node of planNodes(await viewPlan(tx, store, view))) {
      if (node["Relation Name"] === undefined) continue;
      const key = `${node.Schema}.${node["Relation Name"]}`;
      rows.set(key, Math.max(rows.get(key) ?? 0, node["Plan Rows"]));
    }
  }
  return rows;
}

export interface ScopeOptions {
  timeoutMs?: number;
  /** Check the plan Postgres reports before running (relations, functions, node kinds). Default true. */
  fence?: boolean;
  /** Cost bounds on the plan; `false` skips them. Default: the defaults of SqlCostLimits. */
  limits?: SqlCostLimits | false;
  allowRecursive?: boolean;
  /** The views the fence allows and their registry version; default: the registered datasets. */
  views?: { views: readonly string[]; key: string };
  /** Plan, fence and bound the statement but do not run it (returns no rows). */
  planOnly?: boolean;
}

/**
 * INTERNAL — runs `sql` exactly as given, with no parsing, inside the database-enforced scope of the SQL tool:
 * one transaction (always rolled back) whose tenant is bound by a scope row, READ ONLY before the query, as
 * `<schema>_app_readonly` with a pinned `search_path` and `statement_timeout`. Before running it, the plan
 * Postgres reports is fenced (only the views' relations, allowlisted functions and plan nodes) and bounded
 * (cost, rows, joins). Exported for tests proving that these layers hold without the parser; production callers
 * use `runReadOnlyQuery`.
 */
export async function executeInReadOnlyScope(
  store: KnowledgeStore,
  ctx: TenantContext,
  sql: string,
  params: readonly unknown[] = [],
  options: ScopeOptions = {},
): Promise<Record<string, unknown>[]> {
  assertTenantContext(ctx);
  const timeoutMs = bounded(options.timeoutMs, 5000, 60_000, "timeoutMs");
  const limits: ResolvedCostLimits | null =
    options.limits === false ? null : resolveCostLimits(options.limits);
  const fence = options.fence !== false;
  try {
    const registry = options.views ?? (await registeredViews(store));
    const views = registry.views;
    const baseline = fence || limits ? await baselineOf(store, ctx, views, registry.key) : null;
    if (baseline && limits) await refreshStaleStatistics(store.maintenanceDriver, [...baseline.relations]);
    return await inScope(store, ctx, timeoutMs, async (tx, scope) => {
      if (baseline) {
        const plan = rootPlan(await tx.query(`EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`, params));
        if (fence) {
          try {
            checkPlan(plan, baseline, { allowRecursive: options.allowRecursive ?? false });
          } catch (error) {
            if (!(error instanceof PlanRefused)) throw error;
            throw new ValidationError(
              `Query refused: the database resolved it to something outside the allowed views (${error.message}).`,
              { details: [{ path: "sql", message: "plan_not_allowed" }] },
            );
          }
        }
        if (limits) checkCostBounds(plan, limits, await relationRowsOf(tx, store, views));
      }
      if (options.planOnly) return [];
      return watch(store, scope.pid, timeoutMs, () => tx.query<Record<string, unknown>>(sql, params));
    });
  } catch (error) {
    throw toToolError(error, timeoutMs);
  }
}

/**
 * The wall-clock watchdog. On a server, `statement_timeout` cancels first; if the statement is still running a
 * moment later (a pooler that dropped the setting, a server that ignores it), the backend is cancelled with
 * `pg_cancel_backend` and the caller gets `timeout` at once. PGlite runs the statement synchronously on this
 * thread, so no timer can fire before it returns: there the late result is discarded instead.
 */
async function watch<T>(
  store: KnowledgeStore,
  pid: number,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const running = run();
  const fired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (store.driver.kind === "pg") {
        store.driver.query("SELECT pg_cancel_backend($1)", [pid]).catch(() => {});
      }
      reject(timeoutError(timeoutMs));
    }, timeoutMs + 250);
  });
  try {
    const result = await Promise.race([running, fired]);
    if (performance.now() - started > timeoutMs) throw timeoutError(timeoutMs);
    return result;
  } finally {
    clearTimeout(timer);
    running.catch(() => {});
  }
}

/** Validates `sql` against the registered datasets and wraps it as the executor runs it. */
async function prepare(store: KnowledgeStore, sql: string, options: ReadOnlyQueryOptions) {
  const maxRows = bounded(options.maxRows, 1000, 10_000, "maxRows");
  const limits = resolveCostLimits({
    ...(options.maxCost === undefined ? {} : { maxCost: options.maxCost }),
    ...(options.maxEstimatedRows === undefined ? {} : { maxEstimatedRows: options.maxEstimatedRows }),
    ...(options.maxJoinedRelations === undefined ? {} : { maxJoinedRelations: options.maxJoinedRelations }),
    ...(options.maxCrossJoins === undefined ? {} : { maxCrossJoins: options.maxCrossJoins }),
  });
  const views = await registeredViews(store);
  const checked = await validateSelect(sql, {
    schema: store.schema,
    views: views.views,
    allowRecursive: options.allowRecursive ?? false,
    maxJoinedRelations: limits.maxJoinedRelations,
  });
  if (!checked.ok) {
    throw new ValidationError(`Query rejected: ${checked.reason}`, {
      details: [{ path: "sql", message: checked.code }],
    });
  }
  const scope: ScopeOptions = {
    limits,
    views,
    allowRecursive: options.allowRecursive ?? false,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  // A bind parameter forces the extended protocol, which refuses more than one statement on both drivers.
  return { maxRows, scope, wrapped: `SELECT * FROM (${checked.sql}\n) q LIMIT $1` };
}

/**
 * Every check of `runReadOnlyQuery` — the validator, then the plan fence and cost bounds on the plan Postgres
 * makes in the tool's scope (so an unknown column or a type error surfaces too) — without running the query.
 * What model-written SQL goes through before it is shown for approval; throws like runReadOnlyQuery.
 */
export async function checkReadOnlyQuery(
  store: KnowledgeStore,
  ctx: TenantContext,
  sql: string,
  options: ReadOnlyQueryOptions = {},
): Promise<void> {
  const { maxRows, scope, wrapped } = await prepare(store, sql, options);
  await executeInReadOnlyScope(store, ctx, wrapped, [maxRows + 1], { ...scope, planOnly: true });
}

/**
 * The `query_database` tool: validates `sql` (a single SELECT over the registered datasets' views, see
 * validateSelect), then runs it for `ctx`'s tenant in the read-only scope, as
 * `SELECT * FROM (<sql>) q LIMIT maxRows + 1`, after the plan fence and the cost bounds. Invalid or refused SQL →
 * ValidationError (`invalid_input`) with a reason fit for the approval card and the code in `details`;
 * timeouts → code `timeout`.
 */
export async function runReadOnlyQuery(
  store: KnowledgeStore,
  ctx: TenantContext,
  sql: string,
  options: ReadOnlyQueryOptions = {},
): Promise<ReadOnlyQueryResult> {
  const { maxRows, scope, wrapped } = await prepare(store, sql, options);
  const rows = await executeInReadOnlyScope(store, ctx, wrapped, [maxRows + 1], scope);
  const truncated = rows.length > maxRows;
  const kept = truncated ? rows.slice(0, maxRows) : rows;
  return {
    columns: kept[0] ? Object.keys(kept[0]) : [],
    rows: kept,
    rowCount: kept.length,
    truncated,
  };
}

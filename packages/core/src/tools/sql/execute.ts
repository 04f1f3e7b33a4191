import { sqlStateOf } from "../../db/pglite.js";
import { RagKitError, ValidationError } from "../../errors/index.js";
import type { KnowledgeStore } from "../../store/knowledge-store.js";
import { assertTenantContext, type TenantContext } from "../../tenant/context.js";
import { dataSchemaOf, readonlyRoleOf } from "./names.js";
import { validateSelect } from "./validate.js";

export interface ReadOnlyQueryOptions {
  /** Rows returned at most; one more is fetched to detect truncation. Default 1000, at most 10,000. */
  maxRows?: number;
  /** Server-side `statement_timeout` in milliseconds. Default 5000, at most 60,000. */
  timeoutMs?: number;
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

function timeoutError(cause?: unknown): RagKitError {
  return new RagKitError("timeout", "The query was cancelled: statement timeout exceeded.", { cause });
}

/** Maps database errors to stable RagKitErrors with a message safe to show a model or a user. */
function toToolError(error: unknown): RagKitError {
  const state = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (state === "57014") return timeoutError(error);
  if (state === "25006") {
    return new RagKitError(
      "invalid_input",
      `The query tried to write in a read-only transaction: ${message}`,
      {
        cause: error,
      },
    );
  }
  if (state === "42501") {
    return new RagKitError("invalid_input", `Permission denied: ${message}`, { cause: error });
  }
  if (error instanceof RagKitError && error.code !== "database_error") return error;
  return new RagKitError("database_error", `The query failed: ${message}`, { cause: error });
}

/**
 * INTERNAL — runs `sql` exactly as given, with no parsing, inside the database-enforced scope of the SQL tool:
 * one transaction that is `READ ONLY` from its first statement, runs as `<schema>_app_readonly` (NOLOGIN,
 * NOBYPASSRLS, SELECT on the tool's views only), with the tenant, `statement_timeout` and a `search_path` of
 * `pg_catalog, <schema>_data` set transaction-locally. Exported for tests proving that these layers hold
 * without the parser; production callers use `runReadOnlyQuery`.
 */
export async function executeInReadOnlyScope(
  store: KnowledgeStore,
  ctx: TenantContext,
  sql: string,
  params: readonly unknown[] = [],
  options: { timeoutMs?: number } = {},
): Promise<Record<string, unknown>[]> {
  assertTenantContext(ctx);
  const timeoutMs = bounded(options.timeoutMs, 5000, 60_000, "timeoutMs");
  try {
    return await store.driver.transaction(async (tx) => {
      await tx.query("SET TRANSACTION READ ONLY");
      await tx.query(
        `SELECT set_config('role', $1, true), set_config('ragkit.tenant_id', $2, true),
                set_config('statement_timeout', $3, true), set_config('search_path', $4, true)`,
        [
          readonlyRoleOf(store.schema),
          ctx.tenantId,
          `${timeoutMs}ms`,
          `pg_catalog, ${dataSchemaOf(store.schema)}`,
        ],
      );
      const started = performance.now();
      const rows = await tx.query<Record<string, unknown>>(sql, params);
      // PGlite (WASM, no timer interrupts) does not enforce statement_timeout; never return late results.
      if (performance.now() - started > timeoutMs) throw timeoutError();
      return rows;
    });
  } catch (error) {
    throw toToolError(error);
  }
}

/**
 * The `query_database` tool: validates `sql` (a single SELECT over the tool's views, see validateSelect),
 * then runs it for `ctx`'s tenant in the read-only scope, as `SELECT * FROM (<sql>) q LIMIT maxRows + 1`.
 * Invalid SQL → ValidationError (`invalid_input`) with the parser's reason; timeouts → code `timeout`.
 */
export async function runReadOnlyQuery(
  store: KnowledgeStore,
  ctx: TenantContext,
  sql: string,
  options: ReadOnlyQueryOptions = {},
): Promise<ReadOnlyQueryResult> {
  const maxRows = bounded(options.maxRows, 1000, 10_000, "maxRows");
  const checked = validateSelect(sql, { schema: store.schema });
  if (!checked.ok) {
    throw new ValidationError(`Query rejected: ${checked.reason}`, {
      details: [{ path: "sql", message: checked.code }],
    });
  }
  // A bind parameter forces the extended protocol, which refuses more than one statement on both drivers.
  const rows = await executeInReadOnlyScope(
    store,
    ctx,
    `SELECT * FROM (${checked.sql}\n) q LIMIT $1`,
    [maxRows + 1],
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
  const truncated = rows.length > maxRows;
  const kept = truncated ? rows.slice(0, maxRows) : rows;
  return {
    columns: kept[0] ? Object.keys(kept[0]) : [],
    rows: kept,
    rowCount: kept.length,
    truncated,
  };
}

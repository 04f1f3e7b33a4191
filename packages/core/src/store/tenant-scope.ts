import type { Queryable, SqlDriver } from "../db/driver.js";
import { UnknownTenantError } from "../errors/index.js";
import { assertTenantContext, type TenantContext } from "../tenant/context.js";

export interface ScopeNames {
  schema: string;
  appRole: string;
}

export interface TenantScopeOptions {
  /** Fail with UnknownTenantError when the tenant is not registered (default true). */
  requireTenant?: boolean;
  /**
   * More transaction-local settings (planner or extension GUCs such as pgvector's `hnsw.ef_search`), applied in
   * the same statement that enters the tenant rather than in a round trip of their own. Names and values are
   * bound parameters.
   */
  settings?: Readonly<Record<string, string>>;
}

/**
 * Runs `fn` in a transaction as the non-owner app role with the tenant set transaction-locally
 * (`set_config(…, true)` / SET LOCAL): nothing session-level, because PGlite is a single session and a
 * pooled `pg` connection is shared. Row-level security then confines every statement to this tenant.
 */
export async function withTenant<T>(
  driver: SqlDriver,
  names: ScopeNames,
  ctx: TenantContext,
  fn: (tx: Queryable) => Promise<T>,
  options: TenantScopeOptions = {},
): Promise<T> {
  assertTenantContext(ctx);
  return driver.transaction(async (tx) => {
    // One round trip: every transaction of every request pays for entering its tenant. The target list is
    // evaluated left to right and the EXISTS sub-plan only when its column is reached, so the check runs as the
    // app role with the tenant set, under the tenants table's RLS policy (an unset tenant would find nothing,
    // and every call would fail as an unknown tenant).
    const check = options.requireTenant !== false;
    const params: string[] = [names.appRole, ctx.tenantId];
    const settings = Object.entries(options.settings ?? {}).map(([name, value]) => {
      params.push(name, value);
      return `, set_config($${params.length - 1}, $${params.length}, true)`;
    });
    const [row] = await tx.query<{ known?: boolean }>(
      `SELECT set_config('role', $1, true), set_config('ragkit.tenant_id', $2, true)${settings.join("")}${
        check ? `, EXISTS (SELECT 1 FROM ${names.schema}.tenants WHERE id = $2) AS known` : ""
      }`,
      params,
    );
    if (check && !row?.known) throw new UnknownTenantError();
    return fn(tx);
  });
}

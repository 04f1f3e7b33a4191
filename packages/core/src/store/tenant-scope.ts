import type { Queryable, SqlDriver } from "../db/driver.js";
import { UnknownTenantError } from "../errors/index.js";
import { assertTenantContext, type TenantContext } from "../tenant/context.js";

export interface ScopeNames {
  schema: string;
  appRole: string;
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
  options: { requireTenant?: boolean } = {},
): Promise<T> {
  assertTenantContext(ctx);
  return driver.transaction(async (tx) => {
    // One round trip: every transaction of every request pays for entering its tenant. The target list is
    // evaluated left to right and the EXISTS sub-plan only when its column is reached, so the check runs as the
    // app role with the tenant set, under the tenants table's RLS policy (an unset tenant would find nothing,
    // and every call would fail as an unknown tenant).
    const check = options.requireTenant !== false;
    const [row] = await tx.query<{ known?: boolean }>(
      `SELECT set_config('role', $1, true), set_config('ragkit.tenant_id', $2, true)${
        check ? `, EXISTS (SELECT 1 FROM ${names.schema}.tenants WHERE id = $2) AS known` : ""
      }`,
      [names.appRole, ctx.tenantId],
    );
    if (check && !row?.known) throw new UnknownTenantError();
    return fn(tx);
  });
}

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
    await tx.query("SELECT set_config('role', $1, true), set_config('ragkit.tenant_id', $2, true)", [
      names.appRole,
      ctx.tenantId,
    ]);
    if (options.requireTenant !== false) {
      const found = await tx.query(`SELECT 1 FROM ${names.schema}.tenants WHERE id = $1`, [ctx.tenantId]);
      if (found.length === 0) throw new UnknownTenantError();
    }
    return fn(tx);
  });
}

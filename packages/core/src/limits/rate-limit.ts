import { z } from "zod";
import type { Queryable } from "../db/driver.js";
import { validationErrorFromZod } from "../errors/index.js";
import type { TenantContext } from "../tenant/context.js";

export const rateLimitRuleSchema = z.object({
  /** Requests allowed per window. */
  limit: z.number().int().min(1).max(1_000_000),
  /** Window length in seconds. */
  windowSec: z.number().int().min(1).max(86_400),
});
export type RateLimitRule = z.infer<typeof rateLimitRuleSchema>;

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Estimated requests left in the sliding window (0 when refused). */
  remaining: number;
  /** Seconds until a request would be allowed again (0 when allowed). */
  retryAfterSec: number;
}

/** What `consumeRateLimit` needs: the store's tenant-scoped transaction and schema. */
export interface RateLimitStore {
  readonly schema: string;
  withTenant<T>(ctx: TenantContext, fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/**
 * Counts one request against `key` in the caller's tenant and decides whether it is allowed, with a sliding
 * window estimated from two fixed windows (the previous window's count weighted by how much of it still
 * overlaps the sliding window — the approach of Cloudflare's and Redis' sliding-window limiters). The counter
 * lives in Postgres, so every replica sharing the database enforces one limit. Refused requests are counted
 * too: a client that keeps hammering stays limited instead of getting through every other request.
 */
export async function consumeRateLimit(
  store: RateLimitStore,
  ctx: TenantContext,
  key: string,
  rule: RateLimitRule,
  now: Date = new Date(),
): Promise<RateLimitDecision> {
  const parsed = rateLimitRuleSchema.safeParse(rule);
  if (!parsed.success) throw validationErrorFromZod("rate limit rule", parsed.error.issues);
  const { limit, windowSec } = parsed.data;
  const windowMs = windowSec * 1000;
  const currentStart = Math.floor(now.getTime() / windowMs) * windowMs;
  const previousStart = currentStart - windowMs;
  const elapsed = (now.getTime() - currentStart) / windowMs;
  const s = store.schema;
  // The window length is part of the stored key: windows of different lengths start together (a 60 s and a
  // 3600 s window both start on the hour), so rules sharing a key would otherwise add up each other's counts.
  key = `${key}@${windowSec}s`;
  const { current, previous } = await store.withTenant(ctx, async (tx) => {
    const [row] = await tx.query<{ count: number }>(
      `INSERT INTO ${s}.rate_limit_counters AS c (tenant_id, key, window_start, count)
       VALUES ($1, $2, $3, 1)
       ON CONFLICT (tenant_id, key, window_start) DO UPDATE SET count = c.count + 1
       RETURNING c.count`,
      [ctx.tenantId, key, new Date(currentStart).toISOString()],
    );
    const [prev] = await tx.query<{ count: number }>(
      `SELECT count FROM ${s}.rate_limit_counters WHERE tenant_id = $1 AND key = $2 AND window_start = $3`,
      [ctx.tenantId, key, new Date(previousStart).toISOString()],
    );
    // Old windows are useless; prune this key's occasionally rather than on every request.
    if (Math.random() < 0.02) {
      await tx.query(
        `DELETE FROM ${s}.rate_limit_counters WHERE tenant_id = $1 AND key = $2 AND window_start < $3`,
        [ctx.tenantId, key, new Date(previousStart).toISOString()],
      );
    }
    return { current: Number(row!.count), previous: Number(prev?.count ?? 0) };
  });
  const estimate = previous * (1 - elapsed) + current;
  if (estimate <= limit) {
    return { allowed: true, limit, remaining: Math.max(0, Math.floor(limit - estimate)), retryAfterSec: 0 };
  }
  return {
    allowed: false,
    limit,
    remaining: 0,
    retryAfterSec: retryAfter(current, previous, limit, elapsed, windowSec),
  };
}

/**
 * Seconds until the estimate of the next request falls to the limit: inside this window the previous window's
 * weight decays linearly; if this window alone is over the limit, wait for the next window, whose estimate is
 * `current · (1 − t)`.
 */
function retryAfter(
  current: number,
  previous: number,
  limit: number,
  elapsed: number,
  windowSec: number,
): number {
  const next = current + 1;
  if (next <= limit && previous > 0) {
    // previous · (1 − elapsed − d) + next ≤ limit  ⇒  d ≥ 1 − elapsed − (limit − next) / previous
    const d = 1 - elapsed - (limit - next) / previous;
    return Math.max(1, Math.ceil(d * windowSec));
  }
  // Into the next window: current · (1 − t) + 1 ≤ limit  ⇒  t ≥ 1 − (limit − 1) / current
  const t = Math.max(0, 1 - (limit - 1) / current);
  return Math.max(1, Math.ceil((1 - elapsed + t) * windowSec));
}

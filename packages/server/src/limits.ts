import type { RateLimitDecision } from "@ragkit/core";
import type { Authenticated } from "./auth.js";
import { type KnowledgeStore, loadCore, type TenantContext } from "./core.js";
import { HttpError } from "./http.js";
import type { ParsedOptions } from "./options.js";

type Limits = NonNullable<ParsedOptions["rateLimits"]>;

/**
 * Counts the request against the caller's user and tenant budgets (in the shared database) and throws 429 with
 * `Retry-After` when either is exhausted. Returns headers describing the tightest budget.
 */
export async function enforceRateLimits(
  limits: Limits | undefined,
  identity: Authenticated,
  tenant: () => Promise<{ store: KnowledgeStore; ctx: TenantContext }>,
): Promise<Record<string, string>> {
  if (!limits || (!limits.perUser && !limits.perTenant)) return {};
  const [{ store, ctx }, core] = await Promise.all([tenant(), loadCore()]);
  const decisions: RateLimitDecision[] = [];
  if (limits.perTenant) {
    decisions.push(await core.consumeRateLimit(store, ctx, "tenant", limits.perTenant));
  }
  if (limits.perUser && identity.userId !== null) {
    decisions.push(await core.consumeRateLimit(store, ctx, `user:${identity.userId}`, limits.perUser));
  }
  const refused = decisions.filter((d) => !d.allowed);
  if (refused.length > 0) {
    const wait = Math.max(...refused.map((d) => d.retryAfterSec));
    throw new HttpError("rate_limited", `Too many requests; retry in ${wait} s.`, {
      headers: {
        "retry-after": String(wait),
        "x-ratelimit-limit": String(Math.min(...refused.map((d) => d.limit))),
        "x-ratelimit-remaining": "0",
      },
    });
  }
  if (decisions.length === 0) return {};
  const tightest = decisions.reduce((a, b) => (b.remaining < a.remaining ? b : a));
  return { "x-ratelimit-limit": String(tightest.limit), "x-ratelimit-remaining": String(tightest.remaining) };
}

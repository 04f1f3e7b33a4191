export type { RateLimitDecision, RateLimitRule, RateLimitStore } from "./rate-limit.js";
export { consumeRateLimit, rateLimitRuleSchema } from "./rate-limit.js";

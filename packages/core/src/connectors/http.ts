import { setTimeout as sleep } from "node:timers/promises";
import pRetry from "p-retry";
import { ConnectorError, isAbort } from "./errors.js";

/** A response status that a retry may fix, with the server's requested wait. */
export class RetryableHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
    this.name = "RetryableHttpError";
  }
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface RetryPolicy {
  retries: number;
  maxRetryAfterMs: number;
  signal?: AbortSignal | undefined;
  /** Called before each wait (for progress display). */
  onThrottled?: (status: number, waitMs: number) => void;
}

/**
 * Runs `attempt`, retrying RetryableHttpErrors (429/503 and network errors) after the server's Retry-After
 * (capped) or an exponential backoff. Gives up with a ConnectorError("throttled"/"network").
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  attempt: () => Promise<T>,
): Promise<T> {
  try {
    return await pRetry(attempt, {
      retries: policy.retries,
      minTimeout: 0, // the wait is chosen per error below
      ...(policy.signal ? { signal: policy.signal } : {}),
      shouldRetry: async ({ error, retriesConsumed }) => {
        if (!(error instanceof RetryableHttpError)) return false;
        const backoff = Math.min(policy.maxRetryAfterMs, 250 * 2 ** retriesConsumed);
        const wait = Math.min(policy.maxRetryAfterMs, error.retryAfterMs ?? backoff);
        policy.onThrottled?.(error.status, wait);
        await sleep(wait, undefined, policy.signal ? { signal: policy.signal } : {});
        return true;
      },
    });
  } catch (error) {
    if (isAbort(error, policy.signal)) throw new ConnectorError("aborted", "The sync was cancelled.");
    if (error instanceof RetryableHttpError) {
      throw error.status === 0
        ? new ConnectorError(
            "network",
            `Could not reach ${what} (gave up after ${policy.retries + 1} attempts).`,
          )
        : new ConnectorError(
            "throttled",
            `${what} kept answering HTTP ${error.status} (throttled); gave up after ${policy.retries + 1} attempts.`,
          );
    }
    throw error;
  }
}

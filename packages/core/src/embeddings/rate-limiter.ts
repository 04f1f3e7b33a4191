/**
 * A small token-bucket request limiter for provider APIs (OpenAI publishes limits in requests per
 * minute, but enforces them over shorter windows, so a full minute's budget must not go out in one
 * burst). Tokens refill continuously at `requestsPerMinute / 60_000` per millisecond; the bucket
 * holds at most `burst` tokens (default: one second's worth, at least 1).
 *
 * `acquire()` reserves a token immediately — possibly driving the balance negative — and then
 * waits until that reservation is covered. Reserving first makes concurrent callers queue in
 * FIFO order with exact spacing, without a timer loop. An aborted wait returns its token.
 *
 * Clock and sleep are injectable, so the spacing can be tested without real time.
 */
import { RagKitError } from "../errors/index.js";

export interface RateLimiterOptions {
  requestsPerMinute: number;
  /** Bucket capacity: how many requests may start back to back after an idle period. */
  burst?: number;
  /** Milliseconds, monotonic. Default `performance.now()`. */
  now?: () => number;
  /** Resolves after `ms`, rejects when `signal` aborts. Default: a setTimeout-based sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Anything that can pace requests; share one instance between embedders that share an API key. */
export interface RequestLimiter {
  /** Resolves when one request may start; rejects (RagKitError "aborted") if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
}

export class RateLimiter implements RequestLimiter {
  readonly requestsPerMinute: number;
  readonly burst: number;
  readonly #ratePerMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #tokens: number;
  #updatedAt: number;

  constructor(options: RateLimiterOptions) {
    const { requestsPerMinute } = options;
    if (!(Number.isFinite(requestsPerMinute) && requestsPerMinute > 0)) {
      throw new RangeError("RateLimiter: requestsPerMinute must be a positive finite number");
    }
    const burst = options.burst ?? Math.max(1, Math.floor(requestsPerMinute / 60));
    if (!(Number.isFinite(burst) && burst >= 1)) {
      throw new RangeError("RateLimiter: burst must be a finite number ≥ 1");
    }
    this.requestsPerMinute = requestsPerMinute;
    this.burst = burst;
    this.#ratePerMs = requestsPerMinute / 60_000;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? abortableSleep;
    this.#tokens = burst;
    this.#updatedAt = this.#now();
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;
    const waitMs = Math.ceil(-this.#tokens / this.#ratePerMs);
    try {
      await this.#sleep(waitMs, signal);
    } catch (error) {
      // Give the reservation back so later callers are not delayed by a request that never ran.
      this.#tokens += 1;
      throw signal?.aborted ? abortError(signal) : error;
    }
  }
}

function abortError(signal: AbortSignal): RagKitError {
  return new RagKitError("aborted", "Embedding was aborted.", { cause: signal.reason });
}

/** setTimeout-based sleep that rejects with the signal's reason when aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

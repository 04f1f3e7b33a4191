import { describe, expect, it } from "vitest";
import { abortableSleep, RateLimiter } from "../../src/embeddings/rate-limiter.js";

/** A manual clock: `sleep` records the wait and advances time, as if the wait had really passed. */
function fakeClock() {
  const clock = {
    now: 0,
    sleeps: [] as number[],
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.now += ms;
    },
  };
  return clock;
}

describe("RateLimiter", () => {
  it("lets a burst through, then spaces requests at 60 000 / requestsPerMinute ms", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({
      requestsPerMinute: 60,
      burst: 2,
      now: () => clock.now,
      sleep: clock.sleep,
    });
    const startedAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      startedAt.push(clock.now);
    }
    expect(startedAt).toEqual([0, 0, 1000, 2000, 3000]);
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
  });

  it("refills while idle, but never beyond the burst", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({
      requestsPerMinute: 120,
      burst: 3,
      now: () => clock.now,
      sleep: clock.sleep,
    });
    for (let i = 0; i < 3; i++) await limiter.acquire();
    expect(clock.sleeps).toEqual([]);

    clock.now += 1000; // two tokens at 2 per second
    await limiter.acquire();
    await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire();
    expect(clock.sleeps).toEqual([500]);

    clock.now += 3_600_000; // an hour idle still only buys `burst` back-to-back requests
    clock.sleeps.length = 0;
    for (let i = 0; i < 4; i++) await limiter.acquire();
    expect(clock.sleeps).toEqual([500]);
  });

  it("queues concurrent callers with exact, increasing spacing", async () => {
    const clock = { now: 0 };
    const waits: number[] = [];
    const limiter = new RateLimiter({
      requestsPerMinute: 600, // one request per 100 ms
      burst: 1,
      now: () => clock.now,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()));
    expect(waits).toEqual([100, 200, 300]);
  });

  it("returns the token of an aborted wait and rejects with RagKitError 'aborted'", async () => {
    const clock = { now: 0 };
    const waits: number[] = [];
    const limiter = new RateLimiter({
      requestsPerMinute: 60,
      burst: 1,
      now: () => clock.now,
      sleep: (ms, signal) => {
        waits.push(ms);
        return abortableSleep(ms, signal);
      },
    });
    await limiter.acquire();
    const controller = new AbortController();
    const pending = limiter.acquire(controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "RagKitError", code: "aborted" });

    // The next caller waits one interval, not two: the aborted reservation was given back.
    const next = new AbortController();
    const nextPending = limiter.acquire(next.signal);
    next.abort();
    await expect(nextPending).rejects.toMatchObject({ code: "aborted" });
    expect(waits).toEqual([1000, 1000]);

    const already = new AbortController();
    already.abort();
    await expect(limiter.acquire(already.signal)).rejects.toMatchObject({ code: "aborted" });
  });

  it("defaults the burst to one second's worth (at least 1) and validates its options", () => {
    expect(new RateLimiter({ requestsPerMinute: 3000 }).burst).toBe(50);
    expect(new RateLimiter({ requestsPerMinute: 30 }).burst).toBe(1);
    expect(() => new RateLimiter({ requestsPerMinute: 0 })).toThrow(RangeError);
    expect(() => new RateLimiter({ requestsPerMinute: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => new RateLimiter({ requestsPerMinute: 60, burst: 0.5 })).toThrow(RangeError);
  });

  it("waits in real time with the default clock and sleep", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 1200, burst: 1 }); // 50 ms apart
    const start = performance.now();
    for (let i = 0; i < 3; i++) await limiter.acquire();
    expect(performance.now() - start).toBeGreaterThanOrEqual(95);
  });
});

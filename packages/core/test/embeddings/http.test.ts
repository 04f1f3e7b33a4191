import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  EmbeddingApiError,
  extractErrorMessage,
  parseRetryAfterMs,
  redactSecrets,
} from "../../src/embeddings/http.js";
import { RagKitError } from "../../src/errors/index.js";

describe("parseRetryAfterMs", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  const parse = (init: Record<string, string>) => parseRetryAfterMs(new Headers(init), now);

  it("reads delta-seconds, retry-after-ms (preferred) and HTTP-dates", () => {
    expect(parse({ "retry-after": "1" })).toBe(1000);
    expect(parse({ "retry-after": "0.25" })).toBe(250);
    expect(parse({ "retry-after": "0" })).toBe(0);
    expect(parse({ "retry-after-ms": "200" })).toBe(200);
    expect(parse({ "retry-after-ms": "200", "retry-after": "5" })).toBe(200);
    expect(parse({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" })).toBe(3000);
    expect(parse({ "retry-after": "Wed, 31 Dec 2025 23:59:00 GMT" })).toBe(0); // in the past
  });

  it("ignores absent and malformed values", () => {
    expect(parse({})).toBeUndefined();
    expect(parse({ "retry-after": "" })).toBeUndefined();
    expect(parse({ "retry-after": "-5" })).toBeUndefined();
    expect(parse({ "retry-after": "soon" })).toBeUndefined();
    expect(parse({ "retry-after-ms": "abc", "retry-after": "2" })).toBe(2000);
    expect(parse({ "retry-after-ms": "-1" })).toBeUndefined();
  });
});

describe("backoffDelayMs", () => {
  it("doubles per retry, jitters between half and all of the step, and stops at the cap", () => {
    expect(backoffDelayMs(0, 500, 20_000, () => 0)).toBe(250);
    expect(backoffDelayMs(0, 500, 20_000, () => 1)).toBe(500);
    expect(backoffDelayMs(3, 500, 20_000, () => 0.5)).toBe(3000);
    expect(backoffDelayMs(10, 500, 20_000, () => 1)).toBe(20_000);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelayMs(2, 100, 10_000);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });
});

describe("redactSecrets", () => {
  it("removes the configured key and key-like strings", () => {
    const key = "sk-proj-AbC123xyz789";
    expect(redactSecrets(`Incorrect API key provided: ${key}.`, [key])).toBe(
      "Incorrect API key provided: [redacted].",
    );
    expect(redactSecrets("Incorrect API key provided: sk-abc12***********wxyz.")).not.toContain("sk-abc");
    expect(redactSecrets("header was Bearer abc.def-ghi")).toBe("header was [redacted]");
    expect(
      redactSecrets("custom-token-42 leaked by proxy-7", ["custom-token-42", undefined, "", "proxy-7"]),
    ).toBe("[redacted] leaked by [redacted]");
    expect(redactSecrets("nothing secret here")).toBe("nothing secret here");
  });
});

describe("extractErrorMessage", () => {
  it("understands the error shapes of OpenAI-compatible servers", () => {
    expect(
      extractErrorMessage(JSON.stringify({ error: { message: "bad input", type: "invalid_request_error" } })),
    ).toEqual({ message: "bad input", code: "invalid_request_error" });
    expect(
      extractErrorMessage(JSON.stringify({ error: { message: "no money", code: "insufficient_quota" } })),
    ).toEqual({ message: "no money", code: "insufficient_quota" });
    expect(extractErrorMessage(JSON.stringify({ error: "model not found" }))).toEqual({
      message: "model not found",
      code: undefined,
    });
    expect(extractErrorMessage(JSON.stringify({ detail: "Not Found" })).message).toBe("Not Found");
    expect(extractErrorMessage(JSON.stringify({ object: "error", message: "too long" })).message).toBe(
      "too long",
    );
    expect(extractErrorMessage("<html>Bad Gateway</html>").message).toBe("<html>Bad Gateway</html>");
    expect(extractErrorMessage("").message).toBeUndefined();
    expect(extractErrorMessage("x".repeat(2000)).message).toHaveLength(501);
  });
});

describe("EmbeddingApiError", () => {
  it("is a RagKitError carrying status and retry information", () => {
    const error = new EmbeddingApiError("rate_limited", "slow down", {
      status: 429,
      isRetryable: true,
      retryAfterMs: 5,
    });
    expect(error).toBeInstanceOf(RagKitError);
    expect(error).toMatchObject({
      name: "EmbeddingApiError",
      code: "rate_limited",
      status: 429,
      isRetryable: true,
      retryAfterMs: 5,
      attempts: 1,
    });
  });
});

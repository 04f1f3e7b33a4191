import { delay, HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EmbeddingApiError } from "../../src/embeddings/http.js";
import {
  type EmbeddingUsage,
  OpenAIEmbedder,
  type OpenAIEmbedderOptions,
} from "../../src/embeddings/openai.js";
import type { RequestLimiter } from "../../src/embeddings/rate-limiter.js";
import { RagKitError } from "../../src/errors/index.js";

const API_KEY = "sk-test-Zq8s0m3T0pS3cr3tV4lu3";
const OPENAI_URL = "https://api.openai.com/v1/embeddings";

interface RecordedRequest {
  body: { model: string; input: string[]; encoding_format: string; dimensions?: number };
  headers: Headers;
  at: number;
}

let requests: RecordedRequest[] = [];

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  requests = [];
  vi.unstubAllEnvs();
});
afterAll(() => server.close());

async function record(request: Request): Promise<RecordedRequest> {
  const entry: RecordedRequest = {
    body: (await request.json()) as RecordedRequest["body"],
    headers: request.headers,
    at: performance.now(),
  };
  requests.push(entry);
  return entry;
}

/** A fake vector whose first component encodes the input ("text 42" → 42), so order can be checked. */
function vectorFor(input: string, dimension: number): number[] {
  const v = new Array<number>(dimension).fill(0.01);
  v[0] = Number(/\d+/.exec(input)?.[0] ?? -1);
  return v;
}

/** The real OpenAI wire format; `shuffle` returns `data` in reverse order, as the API is allowed to. */
function embeddingsBody(inputs: readonly string[], dimension: number, model = "text-embedding-3-small") {
  const data = inputs.map((input, index) => ({
    object: "embedding" as const,
    index,
    embedding: vectorFor(input, dimension),
  }));
  const tokens = inputs.reduce((sum, input) => sum + input.split(" ").length, 0);
  return {
    object: "list" as const,
    data: data.reverse(),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** Answers every request correctly (after recording it), with the model's native size unless `dimensions` is sent. */
function okHandler(url = OPENAI_URL, dimension = 1536) {
  return http.post(url, async ({ request }) => {
    const { body } = await record(request);
    const native = body.model === "text-embedding-3-large" ? 3072 : dimension;
    return HttpResponse.json(embeddingsBody(body.input, body.dimensions ?? native, body.model));
  });
}

/** Answers the first `failures` requests with `failure()`, then correctly. */
function failingThenOk(failures: number, failure: () => Response | Promise<Response>, dimension = 1536) {
  return http.post(OPENAI_URL, async ({ request }) => {
    const { body } = await record(request);
    if (requests.length <= failures) return failure();
    return HttpResponse.json(embeddingsBody(body.input, dimension));
  });
}

function openaiError(status: number, message: string, extra: Record<string, unknown> = {}, headers = {}) {
  return HttpResponse.json(
    { error: { message, type: "invalid_request_error", param: null, code: null, ...extra } },
    { status, headers },
  );
}

function makeEmbedder(options: OpenAIEmbedderOptions = {}): OpenAIEmbedder {
  return new OpenAIEmbedder({ apiKey: API_KEY, retryBaseMs: 1, retryMaxMs: 5, ...options });
}

const texts = (n: number): string[] => Array.from({ length: n }, (_, i) => `text ${i}`);

async function rejection(promise: Promise<unknown>): Promise<EmbeddingApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RagKitError);
  expect(String((error as Error).message)).not.toContain(API_KEY);
  return error as EmbeddingApiError;
}

describe("OpenAIEmbedder: requests and responses", () => {
  it("batches 250 inputs into 3 requests and returns vectors in input order", async () => {
    server.use(okHandler());
    const embedder = makeEmbedder();
    expect(embedder.name).toBe("openai:text-embedding-3-small");
    expect(embedder.dimension).toBe(1536);

    const vectors = await embedder.embed(texts(250));

    expect(requests.map((r) => r.body.input.length).sort()).toEqual([100, 100, 50]);
    expect(vectors).toHaveLength(250);
    expect(vectors.map((v) => v[0])).toEqual(texts(250).map((_, i) => i));
    expect(vectors.every((v) => v.length === 1536)).toBe(true);
    const [first] = requests;
    expect(first?.body).toMatchObject({ model: "text-embedding-3-small", encoding_format: "float" });
    expect(first?.body).not.toHaveProperty("dimensions");
    expect(first?.headers.get("authorization")).toBe(`Bearer ${API_KEY}`);
    expect(first?.headers.get("content-type")).toBe("application/json");
  });

  it("sends the dimensions parameter and expects vectors of that size", async () => {
    server.use(okHandler());
    const embedder = makeEmbedder({ model: "text-embedding-3-large", dimensions: 256 });
    expect(embedder.dimension).toBe(256);
    const [v] = await embedder.embed(["text 7"]);
    expect(requests[0]?.body).toMatchObject({ model: "text-embedding-3-large", dimensions: 256 });
    expect(v).toHaveLength(256);
  });

  it("reports usage and cost per call through embedWithUsage and onUsage", async () => {
    server.use(okHandler());
    const onUsage = vi.fn<(usage: EmbeddingUsage) => void>();
    const embedder = makeEmbedder({ batchSize: 2, onUsage });

    const { vectors, usage } = await embedder.embedWithUsage(["text 0", "text 1 is longer", "text 2"]);

    expect(vectors.map((v) => v[0])).toEqual([0, 1, 2]);
    // 2 + 4 tokens in the first batch, 2 in the second (the fake server counts words).
    expect(usage).toEqual({ promptTokens: 8, totalTokens: 8, costUsd: (8 * 0.02) / 1e6, requests: 2 });
    expect(onUsage).toHaveBeenCalledTimes(1);
    expect(onUsage).toHaveBeenCalledWith(usage);

    await embedder.embed(["text 3"]);
    expect(onUsage).toHaveBeenCalledTimes(2);
    expect(onUsage.mock.calls[1]?.[0]).toMatchObject({ promptTokens: 2, requests: 1 });
  });

  it("prices known models, honours a configured price and charges 0 for unknown models", async () => {
    server.use(okHandler(), okHandler("http://127.0.0.1:11434/v1/embeddings", 8));
    const cost = async (options: OpenAIEmbedderOptions) =>
      (await makeEmbedder(options).embedWithUsage(["a b c d e f g h i j"])).usage.costUsd;
    expect(await cost({ model: "text-embedding-3-large" })).toBeCloseTo((10 * 0.13) / 1e6, 15);
    expect(await cost({ model: "text-embedding-ada-002" })).toBeCloseTo((10 * 0.1) / 1e6, 15);
    expect(await cost({ pricePerMillionTokens: 1 })).toBeCloseTo(10 / 1e6, 15);
    const local = { baseURL: "http://127.0.0.1:11434/v1", model: "nomic-embed-text", dimension: 8 };
    expect(await cost(local)).toBe(0);
  });

  it("works against an OpenAI-compatible server: no key, prefixes by kind, no usage, no index", async () => {
    server.use(
      http.post("http://127.0.0.1:11434/v1/embeddings", async ({ request }) => {
        const { body } = await record(request);
        // Ollama-style minimal answer: no usage, no index, no object fields.
        return HttpResponse.json({ data: body.input.map((input) => ({ embedding: vectorFor(input, 8) })) });
      }),
    );
    const embedder = new OpenAIEmbedder({
      baseURL: "http://127.0.0.1:11434/v1/",
      model: "nomic-embed-text",
      dimension: 8,
      name: "ollama:nomic-embed-text",
      queryPrefix: "search_query: ",
      documentPrefix: "search_document: ",
      headers: { "x-gateway": "demo" },
    });
    expect(embedder.name).toBe("ollama:nomic-embed-text");

    const [query] = await embedder.embed(["text 5"], { kind: "query" });
    const { vectors, usage } = await embedder.embedWithUsage(["text 6", "text 7"]);

    expect(query?.[0]).toBe(5);
    expect(vectors.map((v) => v[0])).toEqual([6, 7]);
    expect(usage).toEqual({ promptTokens: 0, totalTokens: 0, costUsd: 0, requests: 1 });
    expect(requests[0]?.body.input).toEqual(["search_query: text 5"]);
    expect(requests[1]?.body.input).toEqual(["search_document: text 6", "search_document: text 7"]);
    expect(requests[0]?.headers.has("authorization")).toBe(false);
    expect(requests[0]?.headers.get("x-gateway")).toBe("demo");
  });

  it("lets custom headers replace the default Authorization header", async () => {
    server.use(okHandler());
    await makeEmbedder({ headers: { Authorization: "Bearer other" } }).embed(["text 1"]);
    expect(requests[0]?.headers.get("authorization")).toBe("Bearer other");
  });

  it("makes no request for an empty batch and rejects blank inputs before sending", async () => {
    server.use(okHandler());
    const embedder = makeEmbedder();
    expect(await embedder.embed([])).toEqual([]);
    const error = await rejection(embedder.embed(["fine", "", "  "]));
    expect(error).toMatchObject({ code: "invalid_input" });
    expect(error.message).toContain("texts[1]");
    expect(error.message).toContain("texts[2]");
    expect(requests).toHaveLength(0);
  });
});

describe("OpenAIEmbedder: invalid responses", () => {
  const respondWith = (body: string | object) =>
    http.post(OPENAI_URL, async ({ request }) => {
      await record(request);
      return typeof body === "string"
        ? new HttpResponse(body, { headers: { "content-type": "application/json" } })
        : HttpResponse.json(body);
    });

  it("rejects truncated JSON with provider_error and does not retry", async () => {
    const full = JSON.stringify(embeddingsBody(["text 1"], 1536));
    server.use(respondWith(full.slice(0, full.length / 2)));
    const error = await rejection(makeEmbedder().embed(["text 1"]));
    expect(error).toMatchObject({ code: "provider_error", status: 200 });
    expect(error.message).toContain("not valid JSON");
    expect(requests).toHaveLength(1);
  });

  it("rejects vectors of the wrong length with a clear message", async () => {
    server.use(respondWith(embeddingsBody(["text 1"], 768)));
    const error = await rejection(makeEmbedder().embed(["text 1"]));
    expect(error.code).toBe("provider_error");
    expect(error.message).toMatch(/length 768, but the embedder expects 1536/);
  });

  it("rejects a response with the wrong number of embeddings", async () => {
    server.use(respondWith(embeddingsBody(["text 1", "text 2"], 1536)));
    const error = await rejection(makeEmbedder().embed(["text 1", "text 2", "text 3"]));
    expect(error.code).toBe("provider_error");
    expect(error.message).toContain("2 embeddings for 3 inputs");
  });

  it("rejects duplicate or out-of-range indices", async () => {
    const body = embeddingsBody(["text 1", "text 2"], 1536);
    for (const item of body.data) item.index = 0;
    server.use(respondWith(body));
    const error = await rejection(makeEmbedder().embed(["text 1", "text 2"]));
    expect(error.message).toContain("duplicate index 0");
  });

  it("rejects non-finite and non-numeric vector components", async () => {
    const vector = JSON.stringify(vectorFor("text 1", 1536));
    const body = (v: string) =>
      `{"object":"list","data":[{"object":"embedding","index":0,"embedding":${v}}]}`;

    server.use(respondWith(body(vector.replace("[1,", "[1e999,"))));
    const infinite = await rejection(makeEmbedder().embed(["text 1"]));
    expect(infinite.code).toBe("provider_error");
    expect(infinite.message).toContain("data.0.embedding.0");
    expect(infinite.message).toContain("Infinity");

    server.use(respondWith(body(vector.replace("[1,", "[NaN,"))));
    expect((await rejection(makeEmbedder().embed(["text 1"]))).message).toContain("not valid JSON");

    server.use(respondWith(body(vector.replace("[1,", '["1",'))));
    expect((await rejection(makeEmbedder().embed(["text 1"]))).message).toContain("unexpected shape");
  });
});

describe("OpenAIEmbedder: HTTP errors and retries", () => {
  it("retries a 429 after the Retry-After delay (retry-after-ms), not the shorter backoff", async () => {
    server.use(
      failingThenOk(1, () => openaiError(429, "Rate limit reached", {}, { "retry-after-ms": "200" })),
    );
    const [v] = await makeEmbedder().embed(["text 3"]);
    expect(v?.[0]).toBe(3);
    expect(requests).toHaveLength(2);
    const gap = requests[1]!.at - requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(190);
    expect(gap).toBeLessThan(1000);
  });

  it("honours Retry-After in seconds", async () => {
    server.use(failingThenOk(1, () => openaiError(429, "Rate limit reached", {}, { "retry-after": "1" })));
    await makeEmbedder().embed(["text 3"]);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it("caps a long Retry-After at maxRetryAfterMs", async () => {
    server.use(failingThenOk(1, () => openaiError(429, "Rate limit reached", {}, { "retry-after": "30" })));
    await makeEmbedder({ maxRetryAfterMs: 50 }).embed(["text 3"]);
    const gap = requests[1]!.at - requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(45);
    expect(gap).toBeLessThan(1000);
  });

  it("retries a 500 and then succeeds", async () => {
    server.use(failingThenOk(1, () => openaiError(500, "The server had an error")));
    const vectors = await makeEmbedder().embed(["text 0", "text 1"]);
    expect(vectors.map((v) => v[0])).toEqual([0, 1]);
    expect(requests).toHaveLength(2);
  });

  it("retries network errors", async () => {
    server.use(failingThenOk(2, () => HttpResponse.error()));
    const [v] = await makeEmbedder().embed(["text 9"]);
    expect(v?.[0]).toBe(9);
    expect(requests).toHaveLength(3);
  });

  it("gives up on a persistent 500 after maxRetries retries, with jittered exponential backoff", async () => {
    server.use(failingThenOk(Number.POSITIVE_INFINITY, () => openaiError(503, "Service unavailable")));
    const started = performance.now();
    const error = await rejection(
      makeEmbedder({ maxRetries: 3, retryBaseMs: 40, retryMaxMs: 80 }).embed(["x"]),
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(EmbeddingApiError);
    expect(error).toMatchObject({ code: "provider_error", status: 503, isRetryable: true, attempts: 4 });
    expect(error.message).toContain("HTTP 503: Service unavailable");
    expect(error.message).toContain("gave up after 4 attempts");
    expect(requests).toHaveLength(4);
    // Waits of 20–40, 40–80 and 40–80 ms (capped): at least 100 ms in total.
    expect(elapsed).toBeGreaterThanOrEqual(100);
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[2]).toBeGreaterThanOrEqual(38);
  });

  it("gives up on a persistent 429 with rate_limited", async () => {
    server.use(failingThenOk(Number.POSITIVE_INFINITY, () => openaiError(429, "Rate limit reached")));
    const error = await rejection(makeEmbedder({ maxRetries: 2 }).embed(["x"]));
    expect(error).toMatchObject({ code: "rate_limited", status: 429, attempts: 3 });
    expect(requests).toHaveLength(3);
  });

  it("does not retry 401 and never echoes the API key", async () => {
    server.use(
      failingThenOk(Number.POSITIVE_INFINITY, () =>
        openaiError(401, `Incorrect API key provided: ${API_KEY}. You can find your API key at …`, {
          code: "invalid_api_key",
        }),
      ),
    );
    const error = await rejection(makeEmbedder().embed(["x"]));
    expect(error).toMatchObject({ code: "config_error", status: 401, isRetryable: false });
    expect(error.message).toContain("authentication failed");
    expect(error.message).toContain("Incorrect API key provided: [redacted]");
    expect(JSON.stringify({ ...error, stack: error.stack })).not.toContain(API_KEY);
    expect(requests).toHaveLength(1);
  });

  it("redacts credential-like custom headers echoed by a gateway", async () => {
    server.use(
      failingThenOk(Number.POSITIVE_INFINITY, () =>
        HttpResponse.json({ error: "invalid api-key azure-key-0123456789" }, { status: 401 }),
      ),
    );
    const embedder = makeEmbedder({ headers: { "api-key": "azure-key-0123456789" } });
    const error = await rejection(embedder.embed(["x"]));
    expect(error.message).toContain("invalid api-key [redacted]");
    expect(requests[0]?.headers.get("api-key")).toBe("azure-key-0123456789");
  });

  it("does not retry 400 and includes the API's error message", async () => {
    server.use(
      failingThenOk(Number.POSITIVE_INFINITY, () =>
        openaiError(
          400,
          "This model's maximum context length is 8192 tokens, however you requested 9000 tokens.",
        ),
      ),
    );
    const error = await rejection(makeEmbedder().embed(["x"]));
    expect(error).toMatchObject({ code: "provider_error", status: 400 });
    expect(error.message).toContain("maximum context length is 8192 tokens");
    expect(requests).toHaveLength(1);
  });

  it("does not retry a 429 for an exhausted quota", async () => {
    server.use(
      failingThenOk(Number.POSITIVE_INFINITY, () =>
        openaiError(429, "You exceeded your current quota.", {
          type: "insufficient_quota",
          code: "insufficient_quota",
        }),
      ),
    );
    const error = await rejection(makeEmbedder().embed(["x"]));
    expect(error).toMatchObject({ code: "rate_limited", isRetryable: false });
    expect(error.message).toContain("quota exceeded");
    expect(requests).toHaveLength(1);
  });

  it("follows the x-should-retry header over the status", async () => {
    server.use(
      failingThenOk(Number.POSITIVE_INFINITY, () =>
        openaiError(500, "permanent failure", {}, { "x-should-retry": "false" }),
      ),
    );
    await rejection(makeEmbedder().embed(["x"]));
    expect(requests).toHaveLength(1);
  });

  it("times out a slow request, retries it, and fails with code 'timeout'", async () => {
    server.use(
      http.post(OPENAI_URL, async ({ request }) => {
        await record(request);
        await delay(2000);
        return HttpResponse.json(embeddingsBody(["x"], 1536));
      }),
    );
    const error = await rejection(makeEmbedder({ timeoutMs: 100, maxRetries: 1 }).embed(["x"]));
    expect(error).toMatchObject({ code: "timeout", isRetryable: true, attempts: 2 });
    expect(error.message).toContain("timed out after 100 ms");
    expect(requests).toHaveLength(2);
  });

  it("stops the call's other batches after a non-retryable failure", async () => {
    server.use(failingThenOk(Number.POSITIVE_INFINITY, () => openaiError(401, "bad key")));
    const error = await rejection(makeEmbedder({ batchSize: 1, maxConcurrency: 1 }).embed(texts(5)));
    expect(error.code).toBe("config_error");
    expect(requests).toHaveLength(1);
  });

  it("reports the billed usage of a call that failed after some batches succeeded", async () => {
    server.use(
      http.post(OPENAI_URL, async ({ request }) => {
        const { body } = await record(request);
        if (requests.length > 1) return openaiError(400, "bad input");
        return HttpResponse.json(embeddingsBody(body.input, 1536));
      }),
    );
    const onUsage = vi.fn<(usage: EmbeddingUsage) => void>();
    const error = await rejection(makeEmbedder({ batchSize: 2, maxConcurrency: 1, onUsage }).embed(texts(4)));
    expect(error.status).toBe(400);
    expect(onUsage).toHaveBeenCalledTimes(1);
    expect(onUsage.mock.calls[0]?.[0]).toMatchObject({ promptTokens: 4, requests: 1 });
  });
});

describe("OpenAIEmbedder: cancellation", () => {
  it("rejects at once for an already-aborted signal", async () => {
    server.use(okHandler());
    const error = await rejection(makeEmbedder().embed(["x"], { signal: AbortSignal.abort() }));
    expect(error.code).toBe("aborted");
    expect(requests).toHaveLength(0);
  });

  it("aborts an in-flight request promptly and does not retry", async () => {
    server.use(
      http.post(OPENAI_URL, async ({ request }) => {
        await record(request);
        await delay("infinite"); // the call can only end if the abort really cancels the request
        return HttpResponse.json(embeddingsBody(["x"], 1536));
      }),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(makeEmbedder().embed(texts(3), { signal: controller.signal }));
    expect(error).toMatchObject({ name: "RagKitError", code: "aborted" });
    await delay(100);
    expect(requests).toHaveLength(1);
  });

  it("rejects promptly when aborted while queued behind another call's requests", async () => {
    server.use(
      http.post(OPENAI_URL, async ({ request }) => {
        const { body } = await record(request);
        await delay(800);
        return HttpResponse.json(embeddingsBody(body.input, 1536));
      }),
    );
    const embedder = makeEmbedder({ maxConcurrency: 1 });
    const first = embedder.embed(["text 1"]);
    const controller = new AbortController();
    const second = embedder.embed(["text 2"], { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    expect((await rejection(second)).code).toBe("aborted");
    expect((await first).map((v) => v[0])).toEqual([1]);
    expect(requests.map((r) => r.body.input)).toEqual([["text 1"]]); // the queued batch never went out
  });

  it("aborts during a retry wait", async () => {
    // A 60 s wait (Retry-After, capped) would outlast the test's timeout: only a prompt abort ends the call.
    server.use(failingThenOk(1, () => openaiError(503, "busy", {}, { "retry-after": "3600" })));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(
      makeEmbedder({ maxRetryAfterMs: 600_000 }).embed(["x"], { signal: controller.signal }),
    );
    expect(error.code).toBe("aborted");
    expect(requests).toHaveLength(1);
  });
});

describe("OpenAIEmbedder: concurrency and rate limiting", () => {
  it("keeps at most maxConcurrency requests in flight, across concurrent calls", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server.use(
      http.post(OPENAI_URL, async ({ request }) => {
        const { body } = await record(request);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await delay(20);
        inFlight -= 1;
        return HttpResponse.json(embeddingsBody(body.input, 1536));
      }),
    );
    const embedder = makeEmbedder({ batchSize: 1, maxConcurrency: 3 });
    const [a, b] = await Promise.all([embedder.embed(texts(8)), embedder.embed(texts(5))]);
    expect(a.map((v) => v[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(b.map((v) => v[0])).toEqual([0, 1, 2, 3, 4]);
    expect(requests).toHaveLength(13);
    expect(maxInFlight).toBe(3);
  });

  it("takes a rate-limiter token for every attempt, retries included", async () => {
    server.use(failingThenOk(1, () => openaiError(500, "oops")));
    let acquired = 0;
    const rateLimiter: RequestLimiter = {
      acquire: async () => {
        acquired += 1;
      },
    };
    await makeEmbedder({ batchSize: 2, maxConcurrency: 1, rateLimiter }).embed(texts(6));
    expect(requests).toHaveLength(4);
    expect(acquired).toBe(4);
  });

  it("spaces requests according to requestsPerMinute", async () => {
    server.use(okHandler());
    // Timestamps taken where the request leaves the embedder, not when the mock server gets to it.
    const sentAt: number[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      sentAt.push(performance.now());
      return globalThis.fetch(input, init);
    };
    // 1200 per minute → a burst of 20, then one every 50 ms: request k (k ≥ 20) may not leave before
    // (k − 19) × 50 ms after the first token was taken. Measured from before embed() starts (the first token is
    // taken later, never earlier), not from the first send: that send can itself be late on a loaded machine,
    // which shortened the measured span (142.7 ms in one CI run) without the limiter being wrong. 2 ms allow for
    // timers, which Node rounds to whole milliseconds. Only lower bounds: a loaded machine is slower, never faster.
    const embedder = makeEmbedder({ batchSize: 1, maxConcurrency: 32, requestsPerMinute: 1200, fetch });
    const startedAt = performance.now();
    await embedder.embed(texts(23));
    expect(sentAt).toHaveLength(23);
    for (let k = 20; k < 23; k++) {
      expect(sentAt[k]! - startedAt).toBeGreaterThanOrEqual((k - 19) * 50 - 2);
    }
  });
});

describe("OpenAIEmbedder: configuration", () => {
  const configError = (options: OpenAIEmbedderOptions) => {
    try {
      new OpenAIEmbedder({ apiKey: API_KEY, ...options });
    } catch (error) {
      expect(error).toBeInstanceOf(RagKitError);
      expect((error as RagKitError).code).toBe("config_error");
      return (error as RagKitError).message;
    }
    throw new Error("expected a config_error");
  };

  it("knows the dimension of OpenAI models and requires it for others", () => {
    expect(makeEmbedder({ model: "text-embedding-3-large" }).dimension).toBe(3072);
    expect(makeEmbedder({ model: "text-embedding-ada-002" }).dimension).toBe(1536);
    expect(makeEmbedder({ model: "my-model", dimension: 1024 }).dimension).toBe(1024);
    expect(configError({ model: "my-model" })).toContain('dimension: is required for model "my-model"');
    expect(configError({ model: "constructor" })).toContain("dimension: is required");
  });

  it("catches dimension mistakes before any request", () => {
    expect(configError({ dimension: 512 })).toContain("set `dimensions: 512`");
    expect(configError({ model: "text-embedding-ada-002", dimensions: 512 })).toContain(
      "does not support it",
    );
    expect(configError({ dimensions: 2048 })).toContain("at most 1536");
    expect(configError({ dimension: 256, dimensions: 512 })).toContain("dimension: is 256");
    expect(makeEmbedder({ dimension: 512, dimensions: 512 }).dimension).toBe(512);
  });

  it("validates every option and rejects unknown ones", () => {
    expect(configError({ batchSize: 0 })).toContain("batchSize");
    expect(configError({ batchSize: 5000 })).toContain("batchSize");
    expect(configError({ maxConcurrency: 1.5 })).toContain("maxConcurrency");
    expect(configError({ maxRetries: -1 })).toContain("maxRetries");
    expect(configError({ timeoutMs: 0 })).toContain("timeoutMs");
    expect(configError({ requestsPerMinute: -3 })).toContain("requestsPerMinute");
    expect(configError({ baseURL: "ftp://example.com" })).toContain("baseURL");
    expect(configError({ baseURL: "not a url" })).toContain("baseURL");
    expect(configError({ onUsage: "yes" as never })).toContain("onUsage: must be a function");
    expect(configError({ fetch: {} as never })).toContain("fetch");
    expect(configError({ batchsize: 10 } as never)).toContain("batchsize");
    const limiter: RequestLimiter = { acquire: async () => {} };
    expect(configError({ rateLimiter: limiter, requestsPerMinute: 10 })).toContain("either");
  });

  it("needs an API key for api.openai.com, falling back to OPENAI_API_KEY", () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    expect(() => new OpenAIEmbedder()).toThrow(expect.objectContaining({ code: "config_error" }));
    vi.stubEnv("OPENAI_API_KEY", "sk-from-env-123");
    expect(new OpenAIEmbedder().dimension).toBe(1536);
    // A compatible server needs none.
    expect(new OpenAIEmbedder({ baseURL: "http://127.0.0.1:8000/v1", model: "m", dimension: 4 }).name).toBe(
      "openai:m",
    );
  });

  it("uses an injected fetch, and keeps the key out of network error messages", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
      });
    });
    const error = await rejection(makeEmbedder({ fetch, maxRetries: 1 }).embed(["x"]));
    expect(error).toMatchObject({ code: "provider_error", isRetryable: true, attempts: 2 });
    expect(error.message).toContain("network error (fetch failed: ECONNREFUSED)");
    expect(fetch).toHaveBeenCalledTimes(2);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe(OPENAI_URL);
    expect(init?.method).toBe("POST");
  });
});

/**
 * OpenAIEmbedder: embeddings from OpenAI's `POST /v1/embeddings`, or from any server that speaks
 * the same wire format (Ollama, vLLM, LM Studio, LocalAI, Azure-style gateways via `headers`).
 *
 * Uses the global `fetch` (injectable), not the OpenAI SDK. Per call: inputs are split into
 * batches of `batchSize`; batches run with at most `maxConcurrency` requests in flight per
 * embedder instance; every HTTP attempt (retries included) first takes a token from the request
 * rate limiter; failed attempts on 408/409/429/5xx, timeouts and network errors are retried with
 * p-retry, waiting for the provider's Retry-After when given (capped) and jittered exponential
 * backoff otherwise. The first non-retryable failure cancels the call's other batches.
 */
import pLimit from "p-limit";
import pRetry from "p-retry";
import { z } from "zod";
import { ConfigError, RagKitError, ValidationError, validationErrorFromZod } from "../errors/index.js";
import {
  backoffDelayMs,
  EmbeddingApiError,
  extractErrorMessage,
  parseRetryAfterMs,
  redactSecrets,
} from "./http.js";
import { abortableSleep, RateLimiter, type RequestLimiter } from "./rate-limiter.js";
import type { Embedder, EmbedOptions } from "./types.js";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
export const OPENAI_DEFAULT_MODEL = "text-embedding-3-small";

export interface OpenAIEmbeddingModelInfo {
  /** Native output size. */
  readonly dimension: number;
  /** Whether the API accepts the `dimensions` request parameter (Matryoshka shortening). */
  readonly supportsDimensions: boolean;
  /** USD per 1M input tokens (OpenAI list price). */
  readonly pricePerMillionTokens: number;
}

/** Models RagKit knows the output size and price of. Other models need an explicit `dimension`. */
export const OPENAI_EMBEDDING_MODELS: Readonly<Record<string, OpenAIEmbeddingModelInfo>> = {
  "text-embedding-3-small": { dimension: 1536, supportsDimensions: true, pricePerMillionTokens: 0.02 },
  "text-embedding-3-large": { dimension: 3072, supportsDimensions: true, pricePerMillionTokens: 0.13 },
  "text-embedding-ada-002": { dimension: 1536, supportsDimensions: false, pricePerMillionTokens: 0.1 },
};

/** Token usage and cost of one `embed()` / `embedWithUsage()` call. */
export interface EmbeddingUsage {
  promptTokens: number;
  totalTokens: number;
  /** totalTokens × pricePerMillionTokens / 1e6; 0 for unknown models without a configured price. */
  costUsd: number;
  /** Successful (billed) HTTP requests. Failed attempts are not counted. */
  requests: number;
}

export interface EmbeddingsWithUsage {
  vectors: number[][];
  usage: EmbeddingUsage;
}

export interface OpenAIEmbedderOptions {
  /**
   * Sent as `Authorization: Bearer …`. Optional for compatible servers that need none. When
   * `baseURL` is OpenAI's and no key is given, `process.env.OPENAI_API_KEY` is used.
   */
  apiKey?: string;
  /** Default "https://api.openai.com/v1"; e.g. "http://127.0.0.1:11434/v1" for Ollama. */
  baseURL?: string;
  /** Default "text-embedding-3-small". */
  model?: string;
  /** Expected vector length. Defaults to `dimensions`, else the known model's size; required for other models. */
  dimension?: number;
  /** Sent as the `dimensions` request parameter (text-embedding-3-* can shorten their vectors). */
  dimensions?: number;
  /** Embedder name recorded with stored vectors. Default `openai:<model>`. */
  name?: string;
  /** Extra request headers (e.g. `OpenAI-Organization`, `OpenAI-Project`, a gateway's `api-key`). */
  headers?: Record<string, string>;
  /** Inputs per request; 1–2048, default 100. */
  batchSize?: number;
  /** Concurrent requests per embedder instance; default 4. */
  maxConcurrency?: number;
  /** Request rate limit (token bucket, burst = one second's worth); default 3000. */
  requestsPerMinute?: number;
  /** A limiter shared with other embedders using the same key; replaces `requestsPerMinute`. */
  rateLimiter?: RequestLimiter;
  /** Retries per request after the first attempt; default 5. */
  maxRetries?: number;
  /** Backoff base: the first retry waits 0.5–1 × this; default 500 ms. */
  retryBaseMs?: number;
  /** Backoff ceiling; default 20,000 ms. */
  retryMaxMs?: number;
  /** Longest Retry-After that is honoured as given; longer requests are capped to this; default 60,000 ms. */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout, including reading the response body; default 60,000 ms. */
  timeoutMs?: number;
  /** Prepended to inputs embedded with `kind: "query"` (e.g. "search_query: " for nomic-embed-text). */
  queryPrefix?: string;
  /** Prepended to inputs embedded with `kind: "document"` (the default kind). */
  documentPrefix?: string;
  /** USD per 1M tokens for `costUsd`; default: the known model's list price, else 0. */
  pricePerMillionTokens?: number;
  /** Called once per call with its usage — also when the call fails after some batches were billed. */
  onUsage?: (usage: EmbeddingUsage) => void;
  /** Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
}

const isFunction = (value: unknown): boolean => typeof value === "function";

const optionsSchema = z.strictObject({
  apiKey: z.string().min(1, "must not be empty").optional(),
  baseURL: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
    .default(OPENAI_DEFAULT_BASE_URL),
  model: z.string().min(1).default(OPENAI_DEFAULT_MODEL),
  dimension: z.number().int().positive().max(65_536).optional(),
  dimensions: z.number().int().positive().max(65_536).optional(),
  name: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  batchSize: z.number().int().min(1).max(2048).default(100),
  maxConcurrency: z.number().int().min(1).max(256).default(4),
  requestsPerMinute: z.number().positive().optional(),
  rateLimiter: z
    .custom<RequestLimiter>(
      (v) => typeof v === "object" && v !== null && isFunction((v as { acquire?: unknown }).acquire),
      { message: "must have an acquire(signal) method" },
    )
    .optional(),
  maxRetries: z.number().int().min(0).max(20).default(5),
  retryBaseMs: z.number().min(0).default(500),
  retryMaxMs: z.number().min(0).default(20_000),
  maxRetryAfterMs: z.number().min(0).default(60_000),
  timeoutMs: z.number().int().positive().default(60_000),
  queryPrefix: z.string().default(""),
  documentPrefix: z.string().default(""),
  pricePerMillionTokens: z.number().min(0).optional(),
  onUsage: z
    .custom<(usage: EmbeddingUsage) => void>(isFunction, { message: "must be a function" })
    .optional(),
  fetch: z.custom<typeof globalThis.fetch>(isFunction, { message: "must be a function" }).optional(),
});

type ParsedOptions = z.output<typeof optionsSchema>;

/** The embeddings response, as documented by OpenAI; extra fields are ignored. */
const responseSchema = z.object({
  object: z.literal("list").optional(),
  data: z.array(
    z.object({
      object: z.literal("embedding").optional(),
      index: z.number().int().min(0).optional(),
      embedding: z.array(z.number()),
    }),
  ),
  model: z.string().optional(),
  usage: z
    .object({
      prompt_tokens: z.number().int().min(0).optional(),
      total_tokens: z.number().int().min(0).optional(),
    })
    .optional(),
});

interface BatchResult {
  vectors: number[][];
  promptTokens: number;
  totalTokens: number;
}

function configError(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): ConfigError {
  const validation = validationErrorFromZod("OpenAIEmbedder options", issues);
  return new ConfigError(validation.message, { details: validation.details });
}

function abortedError(signal: AbortSignal): RagKitError {
  return new RagKitError("aborted", "Embedding was aborted.", { cause: signal.reason });
}

function envApiKey(): string | undefined {
  const env = typeof process === "undefined" ? undefined : process.env;
  const key = env?.OPENAI_API_KEY;
  return key === undefined || key === "" ? undefined : key;
}

export class OpenAIEmbedder implements Embedder {
  readonly name: string;
  readonly dimension: number;
  readonly model: string;
  readonly baseURL: string;
  readonly #options: ParsedOptions;
  readonly #apiKey: string | undefined;
  /** Values that must never appear in an error message: the key and credential-like custom headers. */
  readonly #secrets: readonly string[];
  readonly #url: string;
  readonly #origin: string;
  readonly #headers: Headers;
  readonly #pricePerMillionTokens: number;
  readonly #limiter: RequestLimiter;
  readonly #concurrency: ReturnType<typeof pLimit>;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: OpenAIEmbedderOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw configError(parsed.error.issues);
    const o = parsed.data;
    this.#options = o;
    this.model = o.model;
    this.baseURL = o.baseURL.replace(/\/+$/, "");
    this.#url = `${this.baseURL}/embeddings`;
    this.#origin = new URL(this.baseURL).origin;
    this.name = o.name ?? `openai:${o.model}`;

    const isOpenAI = this.#origin === new URL(OPENAI_DEFAULT_BASE_URL).origin;
    this.#apiKey = o.apiKey ?? (isOpenAI ? envApiKey() : undefined);
    if (isOpenAI && this.#apiKey === undefined) {
      throw new ConfigError(
        "OpenAIEmbedder: an API key is required for api.openai.com (pass `apiKey` or set OPENAI_API_KEY).",
      );
    }

    const known = Object.hasOwn(OPENAI_EMBEDDING_MODELS, o.model)
      ? OPENAI_EMBEDDING_MODELS[o.model]
      : undefined;
    this.dimension = resolveDimension(o, known);
    this.#pricePerMillionTokens = o.pricePerMillionTokens ?? known?.pricePerMillionTokens ?? 0;

    if (o.rateLimiter !== undefined && o.requestsPerMinute !== undefined) {
      throw configError([{ path: ["rateLimiter"], message: "pass either rateLimiter or requestsPerMinute" }]);
    }
    this.#limiter = o.rateLimiter ?? new RateLimiter({ requestsPerMinute: o.requestsPerMinute ?? 3000 });
    this.#concurrency = pLimit(o.maxConcurrency);
    this.#fetch = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // `Headers` merges case-insensitively, so a caller's "Authorization" replaces ours instead of joining it.
    this.#headers = new Headers({ "content-type": "application/json", accept: "application/json" });
    if (this.#apiKey !== undefined) this.#headers.set("authorization", `Bearer ${this.#apiKey}`);
    for (const [key, value] of Object.entries(o.headers ?? {})) this.#headers.set(key, value);
    this.#secrets = [
      ...(this.#apiKey === undefined ? [] : [this.#apiKey]),
      ...Object.entries(o.headers ?? {})
        .filter(([key]) => /auth|key|token|secret|cookie/i.test(key))
        .map(([, value]) => value),
    ];
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    return (await this.embedWithUsage(texts, options)).vectors;
  }

  /** Like `embed`, and also returns the call's token usage and cost (e.g. for per-tenant accounting). */
  async embedWithUsage(texts: readonly string[], options: EmbedOptions = {}): Promise<EmbeddingsWithUsage> {
    const { signal } = options;
    if (signal?.aborted) throw abortedError(signal);
    assertTexts(texts);
    const usage: EmbeddingUsage = { promptTokens: 0, totalTokens: 0, costUsd: 0, requests: 0 };
    if (texts.length === 0) return { vectors: [], usage };

    const prefix = options.kind === "query" ? this.#options.queryPrefix : this.#options.documentPrefix;
    const inputs = prefix === "" ? texts : texts.map((text) => prefix + text);
    const batches: (readonly string[])[] = [];
    for (let i = 0; i < inputs.length; i += this.#options.batchSize) {
      batches.push(inputs.slice(i, i + this.#options.batchSize));
    }

    // Cancels the call's remaining batches as soon as one fails for good.
    const cancel = new AbortController();
    const callSignal = signal === undefined ? cancel.signal : AbortSignal.any([signal, cancel.signal]);

    const all = Promise.all(
      batches.map((batch) =>
        this.#concurrency(async () => {
          // Batches still queued when the call is cancelled are dropped here, before any request.
          if (callSignal.aborted) throw abortedError(callSignal);
          const result = await this.#requestWithRetries(batch, callSignal, signal);
          usage.promptTokens += result.promptTokens;
          usage.totalTokens += result.totalTokens;
          usage.requests += 1;
          return result.vectors;
        }).catch((error: unknown) => {
          cancel.abort(error);
          throw error;
        }),
      ),
    );

    let results: number[][][];
    let onAbort: (() => void) | undefined;
    try {
      if (signal === undefined) {
        results = await all;
      } else {
        // Reject as soon as the caller aborts, even if every batch of this call is still queued
        // behind other calls' requests (the concurrency limit is per embedder, not per call).
        const aborted = new Promise<never>((_, reject) => {
          onAbort = () => reject(abortedError(signal));
          signal.addEventListener("abort", onAbort, { once: true });
        });
        results = await Promise.race([all, aborted]);
      }
    } catch (error) {
      if (usage.requests > 0) {
        try {
          this.#options.onUsage?.({ ...usage, costUsd: this.#cost(usage.totalTokens) });
        } catch {
          // The embedding failure is the error worth reporting.
        }
      }
      throw error;
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }

    usage.costUsd = this.#cost(usage.totalTokens);
    this.#options.onUsage?.(usage);
    return { vectors: results.flat(), usage };
  }

  #cost(totalTokens: number): number {
    return (totalTokens * this.#pricePerMillionTokens) / 1_000_000;
  }

  async #requestWithRetries(
    batch: readonly string[],
    signal: AbortSignal,
    callerSignal: AbortSignal | undefined,
  ): Promise<BatchResult> {
    const o = this.#options;
    let attempts = 0;
    try {
      return await pRetry(
        async () => {
          attempts += 1;
          await this.#limiter.acquire(signal);
          return await this.#requestOnce(batch, signal);
        },
        {
          retries: o.maxRetries,
          // The delay is chosen per error in shouldRetry (Retry-After or backoff); p-retry adds none.
          minTimeout: 0,
          signal,
          shouldRetry: async ({ error, retriesConsumed }) => {
            if (!(error instanceof EmbeddingApiError) || !error.isRetryable) return false;
            const delay =
              error.retryAfterMs !== undefined
                ? Math.min(error.retryAfterMs, o.maxRetryAfterMs)
                : backoffDelayMs(retriesConsumed, o.retryBaseMs, o.retryMaxMs);
            await abortableSleep(delay, signal);
            return true;
          },
        },
      );
    } catch (error) {
      if (callerSignal?.aborted) throw abortedError(callerSignal);
      if (signal.aborted && !(error instanceof RagKitError)) throw abortedError(signal);
      if (error instanceof EmbeddingApiError && attempts > 1) {
        throw new EmbeddingApiError(error.code, `${error.message} (gave up after ${attempts} attempts)`, {
          cause: error.cause,
          status: error.status,
          isRetryable: error.isRetryable,
          retryAfterMs: error.retryAfterMs,
          attempts,
        });
      }
      throw error;
    }
  }

  async #requestOnce(batch: readonly string[], signal: AbortSignal): Promise<BatchResult> {
    const o = this.#options;
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const requestSignal = AbortSignal.any([signal, timeout]);
    const body = JSON.stringify({
      model: o.model,
      input: batch,
      encoding_format: "float",
      ...(o.dimensions === undefined ? {} : { dimensions: o.dimensions }),
    });

    let status: number;
    let headers: Headers;
    let text: string;
    try {
      const response = await this.#fetch(this.#url, {
        method: "POST",
        headers: this.#headers,
        body,
        signal: requestSignal,
      });
      status = response.status;
      headers = response.headers;
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw abortedError(signal);
      if (timeout.aborted) {
        throw new EmbeddingApiError(
          "timeout",
          `Embedding request to ${this.#origin} timed out after ${o.timeoutMs} ms.`,
          { isRetryable: true },
        );
      }
      throw new EmbeddingApiError(
        "provider_error",
        this.#redact(`Embedding request to ${this.#origin} failed: network error (${describe(error)}).`),
        { cause: error, isRetryable: true },
      );
    }

    if (status < 200 || status > 299) throw this.#httpError(status, headers, text);
    return this.#parseResponse(text, batch.length, status);
  }

  #httpError(status: number, headers: Headers, body: string): EmbeddingApiError {
    const { message: apiMessage, code: apiCode } = extractErrorMessage(body);
    const retryAfterMs = parseRetryAfterMs(headers);
    const detail = apiMessage === undefined ? "" : `: ${apiMessage}`;
    const where = `Embedding request to ${this.#origin}`;
    let code: RagKitError["code"] = "provider_error";
    let message: string;
    let isRetryable = false;

    if (status === 401) {
      code = "config_error";
      message = `${where} failed: authentication failed (HTTP 401); check the API key${detail}`;
    } else if (status === 403) {
      code = "config_error";
      message = `${where} failed: permission denied (HTTP 403)${detail}`;
    } else if (status === 429) {
      code = "rate_limited";
      if (apiCode === "insufficient_quota") {
        message = `${where} failed: quota exceeded (HTTP 429); check the plan and billing${detail}`;
      } else {
        message = `${where} was rate limited (HTTP 429)${detail}`;
        isRetryable = true;
      }
    } else if (status === 408 || status === 409 || status >= 500) {
      message = `${where} failed: HTTP ${status}${detail}`;
      isRetryable = true;
    } else if (status === 404) {
      message = `${where} failed: HTTP 404 (check baseURL and model "${this.model}")${detail}`;
    } else {
      message = `${where} failed: HTTP ${status}${detail}`;
    }

    // OpenAI's explicit hint overrides the status-based guess.
    const shouldRetry = headers.get("x-should-retry");
    if (shouldRetry === "true") isRetryable = true;
    if (shouldRetry === "false") isRetryable = false;

    return new EmbeddingApiError(code, this.#redact(message), { status, isRetryable, retryAfterMs });
  }

  #parseResponse(text: string, expected: number, status: number): BatchResult {
    const where = `Embedding response from ${this.#origin}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new EmbeddingApiError(
        "provider_error",
        `${where} is not valid JSON (HTTP ${status}, ${text.length} characters; truncated or not an embeddings endpoint?).`,
        { status },
      );
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues.slice(0, 3).map((issue) => {
        const path = issue.path.map(String).join(".") || "(root)";
        return `${path}: ${issue.message}`;
      });
      throw new EmbeddingApiError(
        "provider_error",
        `${where} has an unexpected shape: ${first.join("; ")}.`,
        { status },
      );
    }
    const { data, usage } = parsed.data;
    if (data.length !== expected) {
      throw new EmbeddingApiError(
        "provider_error",
        `${where} has ${data.length} embeddings for ${expected} inputs.`,
        { status },
      );
    }

    const vectors = new Array<number[] | undefined>(expected);
    const indexed = data.every((item) => item.index !== undefined);
    if (!indexed && data.some((item) => item.index !== undefined)) {
      throw new EmbeddingApiError("provider_error", `${where} gives an index for some embeddings only.`, {
        status,
      });
    }
    for (let position = 0; position < data.length; position++) {
      const item = data[position]!;
      const index = item.index ?? position;
      if (index >= expected || vectors[index] !== undefined) {
        throw new EmbeddingApiError(
          "provider_error",
          `${where} has an out-of-range or duplicate index ${index} (expected 0–${expected - 1}).`,
          { status },
        );
      }
      if (item.embedding.length !== this.dimension) {
        throw new EmbeddingApiError(
          "provider_error",
          `${where} has a vector of length ${item.embedding.length}, but the embedder expects ${this.dimension} ` +
            `(model "${this.model}"). Set \`dimension\` to the model's output size, or \`dimensions\` if the model can shorten its vectors.`,
          { status },
        );
      }
      vectors[index] = item.embedding;
    }

    return {
      // Every slot is filled: `expected` distinct in-range indices were assigned above.
      vectors: vectors as number[][],
      promptTokens: usage?.prompt_tokens ?? 0,
      totalTokens: usage?.total_tokens ?? usage?.prompt_tokens ?? 0,
    };
  }

  #redact(message: string): string {
    return redactSecrets(message, this.#secrets);
  }
}

function resolveDimension(o: ParsedOptions, known: OpenAIEmbeddingModelInfo | undefined): number {
  if (o.dimensions !== undefined) {
    if (known !== undefined && !known.supportsDimensions) {
      throw configError([{ path: ["dimensions"], message: `model "${o.model}" does not support it` }]);
    }
    if (known !== undefined && o.dimensions > known.dimension) {
      throw configError([
        { path: ["dimensions"], message: `must be at most ${known.dimension} for model "${o.model}"` },
      ]);
    }
    if (o.dimension !== undefined && o.dimension !== o.dimensions) {
      throw configError([
        {
          path: ["dimension"],
          message: `is ${o.dimension} but dimensions (the requested size) is ${o.dimensions}`,
        },
      ]);
    }
    return o.dimensions;
  }
  if (o.dimension !== undefined) {
    if (known !== undefined && o.dimension !== known.dimension) {
      const hint = known.supportsDimensions
        ? `; to shorten its vectors set \`dimensions: ${o.dimension}\``
        : "";
      throw configError([
        {
          path: ["dimension"],
          message: `model "${o.model}" returns ${known.dimension}-dimensional vectors${hint}`,
        },
      ]);
    }
    return o.dimension;
  }
  if (known !== undefined) return known.dimension;
  throw configError([
    {
      path: ["dimension"],
      message: `is required for model "${o.model}" (its output size is not known to RagKit)`,
    },
  ]);
}

function assertTexts(texts: readonly unknown[]): asserts texts is readonly string[] {
  if (!Array.isArray(texts))
    throw new ValidationError("Invalid embed input: texts must be an array of strings");
  const details: { path: string; message: string }[] = [];
  for (let i = 0; i < texts.length && details.length < 10; i++) {
    const text = texts[i];
    if (typeof text !== "string") details.push({ path: String(i), message: "must be a string" });
    else if (text.trim() === "") details.push({ path: String(i), message: "must not be empty or blank" });
  }
  if (details.length > 0) {
    const summary = details.map((d) => `texts[${d.path}] ${d.message}`).join("; ");
    throw new ValidationError(`Invalid embed input: ${summary}`, { details });
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const causeCode =
    typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
      ? cause.code
      : undefined;
  return causeCode === undefined ? error.message : `${error.message}: ${causeCode}`;
}

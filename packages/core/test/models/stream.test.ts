import { HumanMessage } from "@langchain/core/messages";
import { delay, HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RagKitError } from "../../src/errors/index.js";
import { createChatModel, streamText } from "../../src/models/index.js";
import { anthropicFrames, openaiFrames, openaiToolCallFrames, SSE_HEADERS, sseStream } from "./sse.js";

const OPENAI_KEY = "sk-test-Zq8s0m3T0pS3cr3tV4lu3";
const ANTHROPIC_KEY = "sk-ant-test-9f8e7d6c5b4a";
const OPENAI_URL = "https://api.openai.com/v1/chat/completions";
const ANTHROPIC_URL = "https://api.anthropic.com/v1/messages";
const OLLAMA_URL = "http://localhost:11434/v1/chat/completions";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const messages = [new HumanMessage("What is the refund window?")];

function openai(overrides: { maxRetries?: number; timeoutMs?: number } = {}) {
  return createChatModel({
    provider: "openai",
    model: "gpt-4o-mini",
    apiKey: OPENAI_KEY,
    maxRetries: 0,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<RagKitError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RagKitError);
    return error as RagKitError;
  }
  throw new Error("expected a rejection");
}

describe("streamText with OpenAI chat completions", () => {
  it("streams the deltas, reports usage and sends a streaming request with include_usage", async () => {
    let body: Record<string, unknown> = {};
    let auth: string | null = null;
    server.use(
      http.post(OPENAI_URL, async ({ request }) => {
        body = (await request.json()) as Record<string, unknown>;
        auth = request.headers.get("authorization");
        return new HttpResponse(
          sseStream(
            openaiFrames(["Annual", " plans", ": 30 days."], { usage: { prompt: 12, completion: 5 } }),
          ),
          { headers: SSE_HEADERS },
        );
      }),
    );
    const tokens: string[] = [];
    const result = await streamText(openai(), messages, { onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(["Annual", " plans", ": 30 days."]);
    expect(result.text).toBe("Annual plans: 30 days.");
    expect(result.usage).toEqual({ inputTokens: 12, outputTokens: 5, totalTokens: 17 });
    expect(result.finishReason).toBe("stop");
    expect(result.toolCalls).toEqual([]);
    expect(body).toMatchObject({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(auth).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it("parses a streamed tool call with partial JSON arguments", async () => {
    server.use(
      http.post(
        OPENAI_URL,
        () =>
          new HttpResponse(
            sseStream(
              openaiToolCallFrames("create_visualization", [
                '{"chart',
                'Type":"b',
                'ar","title":"Revenue',
                ' by region"}',
              ]),
            ),
            { headers: SSE_HEADERS },
          ),
      ),
    );
    const model = openai().bindTools?.([
      {
        type: "function",
        function: {
          name: "create_visualization",
          description: "Chart",
          parameters: {
            type: "object",
            properties: { chartType: { type: "string" }, title: { type: "string" } },
          },
        },
      },
    ]);
    expect(model).toBeDefined();
    const result = await streamText(model!, messages);
    expect(result.finishReason).toBe("tool_calls");
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({
      id: "call_Xy12",
      name: "create_visualization",
      args: { chartType: "bar", title: "Revenue by region" },
    });
    expect(result.usage).toEqual({ inputTokens: 40, outputTokens: 18, totalTokens: 58 });
  });

  it("retries a 429 (Retry-After) and then succeeds", async () => {
    let calls = 0;
    server.use(
      http.post(OPENAI_URL, () => {
        calls++;
        if (calls === 1) {
          return HttpResponse.json(
            { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } },
            { status: 429, headers: { "retry-after": "0" } },
          );
        }
        return new HttpResponse(sseStream(openaiFrames(["ok"], { usage: { prompt: 3, completion: 1 } })), {
          headers: SSE_HEADERS,
        });
      }),
    );
    const result = await streamText(openai({ maxRetries: 2 }), messages);
    expect(result.text).toBe("ok");
    expect(calls).toBe(2);
  });

  it("maps a persistent 500 to provider_error after the retries", async () => {
    let calls = 0;
    server.use(
      http.post(OPENAI_URL, () => {
        calls++;
        return HttpResponse.json({ error: { message: "The server had an error" } }, { status: 500 });
      }),
    );
    const error = await rejection(streamText(openai({ maxRetries: 1 }), messages, { provider: "openai" }));
    expect(error.code).toBe("provider_error");
    expect(error.message).toContain("500");
    expect(calls).toBe(2);
  });

  it("maps a 429 that never clears to rate_limited after the retries", async () => {
    let calls = 0;
    server.use(
      http.post(OPENAI_URL, () => {
        calls++;
        return HttpResponse.json(
          { error: { message: "Rate limit reached" } },
          { status: 429, headers: { "retry-after": "0" } },
        );
      }),
    );
    const error = await rejection(streamText(openai({ maxRetries: 1 }), messages));
    expect(error.code).toBe("rate_limited");
    expect(calls).toBe(2);
  });

  it("does not retry a 429 without Retry-After (LangChain treats it as exhausted capacity)", async () => {
    let calls = 0;
    server.use(
      http.post(OPENAI_URL, () => {
        calls++;
        return HttpResponse.json({ error: { message: "Rate limit reached" } }, { status: 429 });
      }),
    );
    const error = await rejection(streamText(openai({ maxRetries: 2 }), messages));
    expect(error.code).toBe("rate_limited");
    expect(calls).toBe(1);
  });

  it("maps a 401 to config_error without echoing the key", async () => {
    let calls = 0;
    server.use(
      http.post(OPENAI_URL, () => {
        calls++;
        return HttpResponse.json(
          { error: { message: `Incorrect API key provided: ${OPENAI_KEY}.`, code: "invalid_api_key" } },
          { status: 401 },
        );
      }),
    );
    const error = await rejection(streamText(openai({ maxRetries: 3 }), messages));
    expect(error.code).toBe("config_error");
    expect(calls).toBe(1);
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain("Zq8s0m3T");
  });

  it("reports a stream cut mid-way as a clear provider_error", async () => {
    server.use(
      http.post(
        OPENAI_URL,
        () =>
          new HttpResponse(
            sseStream(openaiFrames(["Annual", " pla"], { finish: false, done: false }), "cut"),
            {
              headers: SSE_HEADERS,
            },
          ),
      ),
    );
    const tokens: string[] = [];
    const error = await rejection(streamText(openai(), messages, { onToken: (t) => tokens.push(t) }));
    expect(error.code).toBe("provider_error");
    expect(error.message).toMatch(/stream broke off|terminated/);
    // What was received before the cut was still delivered (a dropped socket may lose its buffered tail).
    expect(tokens[0]).toBe("Annual");
    expect("Annual pla".startsWith(tokens.join(""))).toBe(true);
  });

  it("reports a stream that closes without finishing as provider_error", async () => {
    server.use(
      http.post(
        OPENAI_URL,
        () =>
          new HttpResponse(sseStream(openaiFrames(["Annual"], { finish: false, done: false })), {
            headers: SSE_HEADERS,
          }),
      ),
    );
    const error = await rejection(streamText(openai(), messages));
    expect(error.code).toBe("provider_error");
    expect(error.message).toMatch(/ended before the response was complete/);
  });

  it("rejects with aborted when the signal fires mid-stream (the stream never ends on its own)", async () => {
    let serverSaw!: Promise<void>;
    server.use(
      http.post(OPENAI_URL, ({ request }) => {
        serverSaw = new Promise((resolve) => {
          if (request.signal.aborted) resolve();
          request.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        return new HttpResponse(sseStream(openaiFrames(["first"], { finish: false, done: false }), "hang"), {
          headers: SSE_HEADERS,
        });
      }),
    );
    const controller = new AbortController();
    const tokens: string[] = [];
    const error = await rejection(
      streamText(openai(), messages, {
        signal: controller.signal,
        onToken: (t) => {
          tokens.push(t);
          controller.abort();
        },
      }),
    );
    expect(error.code).toBe("aborted");
    expect(tokens).toEqual(["first"]);
    // The HTTP request itself was cancelled (the connection is released, not left hanging).
    await serverSaw;
  });

  it("rejects with aborted when the signal fires before the response arrives", async () => {
    let received!: () => void;
    const requested = new Promise<void>((resolve) => {
      received = resolve;
    });
    server.use(
      http.post(OPENAI_URL, async () => {
        received();
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );
    const controller = new AbortController();
    const pending = streamText(openai(), messages, { signal: controller.signal });
    await requested;
    controller.abort();
    expect((await rejection(pending)).code).toBe("aborted");
  });

  it("rethrows an error from onToken unchanged and releases the stream", async () => {
    server.use(
      http.post(
        OPENAI_URL,
        () =>
          new HttpResponse(sseStream(openaiFrames(["a"], { finish: false, done: false }), "hang"), {
            headers: SSE_HEADERS,
          }),
      ),
    );
    const bug = new Error("ui crashed");
    await expect(
      streamText(openai(), messages, {
        onToken: () => {
          throw bug;
        },
      }),
    ).rejects.toBe(bug);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const error = await rejection(streamText(openai(), messages, { signal: AbortSignal.abort() }));
    expect(error.code).toBe("aborted");
  });

  it("maps the SDK timeout to timeout", async () => {
    let calls = 0;
    server.use(
      http.post(OPENAI_URL, async () => {
        calls++;
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );
    const error = await rejection(streamText(openai({ timeoutMs: 50, maxRetries: 1 }), messages));
    expect(error.code).toBe("timeout");
    expect(calls).toBe(2); // a timed-out attempt is retried
  });
});

describe("streamText with Anthropic messages", () => {
  const anthropic = () =>
    createChatModel({
      provider: "anthropic",
      model: "claude-haiku-4-5",
      apiKey: ANTHROPIC_KEY,
      maxRetries: 0,
    });

  it("streams text_delta events and reports usage from message_start / message_delta", async () => {
    let body: Record<string, unknown> = {};
    let key: string | null = null;
    server.use(
      http.post(ANTHROPIC_URL, async ({ request }) => {
        body = (await request.json()) as Record<string, unknown>;
        key = request.headers.get("x-api-key");
        return new HttpResponse(
          sseStream(anthropicFrames(["Refunds", " within", " 30 days."], { input: 25, output: 9 })),
          {
            headers: SSE_HEADERS,
          },
        );
      }),
    );
    const tokens: string[] = [];
    const result = await streamText(anthropic(), messages, { onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(["Refunds", " within", " 30 days."]);
    expect(result.text).toBe("Refunds within 30 days.");
    expect(result.finishReason).toBe("end_turn");
    expect(result.usage.inputTokens).toBe(25);
    expect(result.usage).toEqual({ inputTokens: 25, outputTokens: 9, totalTokens: 34 });
    expect(body).toMatchObject({ model: "claude-haiku-4-5", stream: true });
    expect(key).toBe(ANTHROPIC_KEY);
  });

  it("rejects with aborted mid-stream", async () => {
    server.use(
      http.post(
        ANTHROPIC_URL,
        () =>
          new HttpResponse(sseStream(anthropicFrames(["Refunds"], { stop: false }), "hang"), {
            headers: SSE_HEADERS,
          }),
      ),
    );
    const controller = new AbortController();
    const error = await rejection(
      streamText(anthropic(), messages, { signal: controller.signal, onToken: () => controller.abort() }),
    );
    expect(error.code).toBe("aborted");
  });

  it("maps an overloaded 529 to provider_error", async () => {
    server.use(
      http.post(ANTHROPIC_URL, () =>
        HttpResponse.json(
          { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
          { status: 529 },
        ),
      ),
    );
    const error = await rejection(streamText(anthropic(), messages));
    expect(error.code).toBe("provider_error");
  });
});

describe("OpenAI-compatible servers", () => {
  it("sends requests to the configured base URL (Ollama)", async () => {
    let body: Record<string, unknown> = {};
    server.use(
      http.post(OLLAMA_URL, async ({ request }) => {
        body = (await request.json()) as Record<string, unknown>;
        return new HttpResponse(
          sseStream(openaiFrames(["Hi", "!"], { usage: { prompt: 7, completion: 2 } })),
          {
            headers: SSE_HEADERS,
          },
        );
      }),
    );
    const model = createChatModel({
      provider: "openai-compatible",
      model: "llama3.1",
      baseURL: "http://localhost:11434/v1",
      maxRetries: 0,
    });
    const result = await streamText(model, messages);
    expect(result.text).toBe("Hi!");
    expect(result.usage).toEqual({ inputTokens: 7, outputTokens: 2, totalTokens: 9 });
    expect(body).toMatchObject({ model: "llama3.1", stream: true });
  });

  it("sends Anthropic requests to a custom base URL (gateway)", async () => {
    server.use(
      http.post(
        "https://gateway.example.com/v1/messages",
        () => new HttpResponse(sseStream(anthropicFrames(["ok"])), { headers: SSE_HEADERS }),
      ),
    );
    const model = createChatModel({
      provider: "anthropic",
      model: "claude-haiku-4-5",
      apiKey: ANTHROPIC_KEY,
      baseURL: "https://gateway.example.com",
      maxRetries: 0,
    });
    expect((await streamText(model, messages)).text).toBe("ok");
  });
});

import { ChatAnthropic } from "@langchain/anthropic";
import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { RagKitError } from "../../src/errors/index.js";
import {
  createChatModel,
  DEFAULT_MAX_RETRIES,
  modelsFromEnv,
  parseChatModelConfig,
  redactModelConfig,
  scrubSecrets,
  toModelError,
} from "../../src/models/index.js";

const KEY = "sk-test-Zq8s0m3T0pS3cr3tV4lu3";

function thrown(fn: () => unknown): RagKitError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RagKitError);
    return error as RagKitError;
  }
  throw new Error("expected a throw");
}

describe("chat model config", () => {
  it("applies defaults", () => {
    const config = parseChatModelConfig({ provider: "openai", model: "gpt-4o-mini", apiKey: KEY });
    expect(config.maxRetries).toBe(DEFAULT_MAX_RETRIES);
    expect(config.timeoutMs).toBe(60_000);
  });

  it("rejects bad configs with invalid_input and never echoes the key", () => {
    const error = thrown(() =>
      parseChatModelConfig({ provider: "mistral", model: "", apiKey: KEY, temperature: 5, extra: KEY }),
    );
    expect(error.code).toBe("invalid_input");
    expect(error.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(["provider", "model", "temperature"]),
    );
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain("Zq8s0m3T");
  });

  it("requires a base URL for openai-compatible", () => {
    const error = thrown(() => parseChatModelConfig({ provider: "openai-compatible", model: "llama3.1" }));
    expect(error.details[0]?.path).toBe("baseURL");
  });

  it("builds ChatOpenAI / ChatAnthropic and requires keys for hosted providers", () => {
    const openai = createChatModel({
      provider: "openai",
      model: "gpt-4o-mini",
      apiKey: KEY,
      timeoutMs: 5000,
    });
    expect(openai).toBeInstanceOf(ChatOpenAI);
    expect((openai as ChatOpenAI).model).toBe("gpt-4o-mini");
    const compatible = createChatModel({
      provider: "openai-compatible",
      model: "llama3.1",
      baseURL: "http://localhost:11434/v1",
    });
    expect(compatible).toBeInstanceOf(ChatOpenAI);
    const anthropic = createChatModel({
      provider: "anthropic",
      model: "claude-haiku-4-5",
      apiKey: "sk-ant-x",
    });
    expect(anthropic).toBeInstanceOf(ChatAnthropic);
    expect(thrown(() => createChatModel({ provider: "anthropic", model: "claude-haiku-4-5" })).code).toBe(
      "config_error",
    );
    expect(thrown(() => createChatModel({ provider: "openai", model: "gpt-4o-mini" })).code).toBe(
      "config_error",
    );
  });

  it("redacts keys for logging", () => {
    const redacted = redactModelConfig({ provider: "openai", model: "gpt-4o-mini", apiKey: KEY });
    expect(JSON.stringify(redacted)).not.toContain(KEY);
    expect(redacted.apiKey).toBe("[redacted]");
    expect(scrubSecrets(`Incorrect API key provided: ${KEY}; Bearer abc.def`)).toBe(
      "Incorrect API key provided: [redacted]; Bearer [redacted]",
    );
  });
});

describe("toModelError", () => {
  it.each([
    [{ status: 429, message: "Too many" }, "rate_limited"],
    [{ status: 503, message: "down" }, "provider_error"],
    [{ status: 401, message: "bad key" }, "config_error"],
    [{ status: 404, message: "model not found" }, "config_error"],
    [{ status: 400, message: "bad request" }, "provider_error"],
    [{ status: 529, message: "Overloaded" }, "provider_error"],
    [{ name: "APIConnectionTimeoutError", message: "Request timed out." }, "timeout"],
    [{ name: "AbortError", message: "This operation was aborted" }, "aborted"],
    [new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }), "provider_error"],
  ])("maps %o to %s", (error, code) => {
    expect(toModelError(error).code).toBe(code);
  });

  it("maps anything to aborted once the signal fired", () => {
    expect(toModelError(new Error("boom"), { signal: AbortSignal.abort() }).code).toBe("aborted");
  });
});

describe("modelsFromEnv", () => {
  it("returns null without any provider (the offline default applies)", () => {
    expect(modelsFromEnv({})).toBeNull();
    expect(modelsFromEnv({ RAGKIT_CHAT_MODEL: "gpt-4o", OPENAI_API_KEY: "  " })).toBeNull();
  });

  it("uses OpenAI with the default model and base URL for every role", () => {
    const models = modelsFromEnv({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: "https://proxy.example.com/v1" });
    expect(models).not.toBeNull();
    for (const role of ["analyze", "rewrite", "generate", "validate"] as const) {
      expect(models?.[role]).toMatchObject({
        provider: "openai",
        model: "gpt-4o-mini",
        apiKey: KEY,
        baseURL: "https://proxy.example.com/v1",
        maxRetries: 3,
      });
    }
  });

  it("applies RAGKIT_CHAT_MODEL and per-role overrides across providers", () => {
    const models = modelsFromEnv({
      OPENAI_API_KEY: KEY,
      ANTHROPIC_API_KEY: "sk-ant-test",
      OLLAMA_BASE_URL: "http://localhost:11434/v1",
      RAGKIT_CHAT_MODEL: "gpt-4.1-mini",
      RAGKIT_MODEL_GENERATE: "anthropic:claude-sonnet-4-5",
      RAGKIT_MODEL_ANALYZE: "ollama:qwen2.5:7b",
    });
    expect(models?.rewrite).toMatchObject({ provider: "openai", model: "gpt-4.1-mini" });
    expect(models?.validate).toMatchObject({ provider: "openai", model: "gpt-4.1-mini" });
    expect(models?.generate).toMatchObject({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      apiKey: "sk-ant-test",
    });
    expect(models?.analyze).toMatchObject({
      provider: "openai-compatible",
      model: "qwen2.5:7b",
      baseURL: "http://localhost:11434/v1",
    });
    expect(models?.analyze.apiKey).toBeUndefined();
  });

  it("falls back to Anthropic, then Ollama", () => {
    expect(modelsFromEnv({ ANTHROPIC_API_KEY: "sk-ant-test" })?.generate).toMatchObject({
      provider: "anthropic",
      model: "claude-haiku-4-5",
    });
    expect(modelsFromEnv({ OLLAMA_BASE_URL: "http://localhost:11434/v1" })?.generate).toMatchObject({
      provider: "openai-compatible",
      model: "llama3.1",
    });
  });

  it("throws a config_error when a role names an unconfigured provider, without echoing keys", () => {
    const error = thrown(() =>
      modelsFromEnv({ OPENAI_API_KEY: KEY, RAGKIT_MODEL_VALIDATE: "anthropic:claude" }),
    );
    expect(error.code).toBe("config_error");
    expect(error.message).toContain("RAGKIT_MODEL_VALIDATE");
    expect(error.message).toContain("ANTHROPIC_API_KEY");
    expect(error.message).not.toContain(KEY);
    const bad = thrown(() => modelsFromEnv({ OLLAMA_BASE_URL: "not a url" }));
    expect(bad.code).toBe("config_error");
  });
});

import { ChatAnthropic } from "@langchain/anthropic";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import { ConfigError } from "../errors/index.js";
import { type ChatModelConfig, type ChatModelConfigInput, parseChatModelConfig } from "./config.js";

/**
 * Local OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp) usually need no key, but the OpenAI
 * client refuses to start without one: this placeholder is sent instead.
 */
export const NO_API_KEY_PLACEHOLDER = "not-needed";

/**
 * Builds a LangChain chat model from a validated config. Retries (429 honouring Retry-After, 5xx, network)
 * are LangChain's (`maxRetries`); `timeoutMs` is the per-request timeout of the provider SDK.
 * The API key is handed to the SDK only; it is never logged or put in an error message.
 */
export function createChatModel(input: ChatModelConfigInput): BaseChatModel {
  const config: ChatModelConfig = parseChatModelConfig(input);
  switch (config.provider) {
    case "openai":
    case "openai-compatible": {
      const apiKey =
        config.apiKey ?? (config.provider === "openai-compatible" ? NO_API_KEY_PLACEHOLDER : undefined);
      if (apiKey === undefined) {
        throw new ConfigError(
          'Model provider "openai" needs an API key (set OPENAI_API_KEY or pass apiKey).',
        );
      }
      return new ChatOpenAI({
        model: config.model,
        apiKey,
        ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
        maxRetries: config.maxRetries,
        timeout: config.timeoutMs,
        // Chat Completions everywhere: it is what OpenAI-compatible servers implement.
        useResponsesApi: false,
        // Ask for the final usage chunk (`stream_options.include_usage`).
        streamUsage: true,
        configuration: config.baseURL === undefined ? {} : { baseURL: config.baseURL },
      });
    }
    case "anthropic": {
      if (config.apiKey === undefined) {
        throw new ConfigError(
          'Model provider "anthropic" needs an API key (set ANTHROPIC_API_KEY or pass apiKey).',
        );
      }
      return new ChatAnthropic({
        model: config.model,
        apiKey: config.apiKey,
        ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
        maxRetries: config.maxRetries,
        streamUsage: true,
        ...(config.baseURL === undefined ? {} : { anthropicApiUrl: config.baseURL }),
        clientOptions: { timeout: config.timeoutMs },
      });
    }
  }
}

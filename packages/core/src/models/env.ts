import { ConfigError, isRagKitError } from "../errors/index.js";
import {
  type ChatModelConfig,
  MODEL_ROLES,
  type ModelProvider,
  type ModelRole,
  parseChatModelConfig,
  type RoleModelConfigs,
} from "./config.js";

export const DEFAULT_MODELS = {
  openai: "gpt-4o-mini",
  anthropic: "claude-haiku-4-5",
  ollama: "llama3.1",
} as const;

const ROLE_ENV: Record<ModelRole, string> = {
  analyze: "RAGKIT_MODEL_ANALYZE",
  rewrite: "RAGKIT_MODEL_REWRITE",
  generate: "RAGKIT_MODEL_GENERATE",
  validate: "RAGKIT_MODEL_VALIDATE",
};

type ProviderPrefix = "openai" | "anthropic" | "ollama";
const PREFIXES: readonly ProviderPrefix[] = ["openai", "anthropic", "ollama"];

function read(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Reads the model configuration from environment variables (see docs/models.md):
 * - `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `ANTHROPIC_API_KEY`, `OLLAMA_BASE_URL` say which providers are available;
 * - `RAGKIT_CHAT_MODEL` is the default model of every role, `RAGKIT_MODEL_ANALYZE` / `_REWRITE` / `_GENERATE` /
 *   `_VALIDATE` override one role. A model is `name` or `provider:name` with provider `openai`, `anthropic` or
 *   `ollama` (e.g. `anthropic:claude-sonnet-4-5`, `ollama:qwen2.5:7b`); without a prefix the first available
 *   provider is used (OpenAI, then Anthropic, then Ollama).
 *
 * Returns `null` when no provider is configured (no key, no Ollama URL): the agent's offline models apply.
 * Throws a ConfigError when a role names a provider that is not configured. Keys are never put in messages.
 */
export function modelsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): RoleModelConfigs | null {
  const openaiKey = read(env, "OPENAI_API_KEY");
  const openaiBaseURL = read(env, "OPENAI_BASE_URL");
  const anthropicKey = read(env, "ANTHROPIC_API_KEY");
  const ollamaBaseURL = read(env, "OLLAMA_BASE_URL");

  const available: ProviderPrefix[] = [];
  if (openaiKey) available.push("openai");
  if (anthropicKey) available.push("anthropic");
  if (ollamaBaseURL) available.push("ollama");
  const fallback = available[0];
  if (fallback === undefined) return null;

  const defaultSpec = read(env, "RAGKIT_CHAT_MODEL");

  const resolve = (role: ModelRole): ChatModelConfig => {
    const variable = read(env, ROLE_ENV[role]) ? ROLE_ENV[role] : "RAGKIT_CHAT_MODEL";
    const spec = read(env, ROLE_ENV[role]) ?? defaultSpec;
    let prefix: ProviderPrefix = fallback;
    let model: string | undefined;
    if (spec !== undefined) {
      const colon = spec.indexOf(":");
      const head = colon > 0 ? spec.slice(0, colon).toLowerCase() : "";
      if ((PREFIXES as readonly string[]).includes(head)) {
        prefix = head as ProviderPrefix;
        model = spec.slice(colon + 1).trim();
      } else {
        model = spec;
      }
      if (!model) throw new ConfigError(`${variable} names no model (expected "model" or "provider:model").`);
    }
    if (!available.includes(prefix)) {
      const needed = { openai: "OPENAI_API_KEY", anthropic: "ANTHROPIC_API_KEY", ollama: "OLLAMA_BASE_URL" }[
        prefix
      ];
      throw new ConfigError(`${variable} uses provider "${prefix}" but ${needed} is not set.`);
    }
    const provider: ModelProvider = prefix === "ollama" ? "openai-compatible" : prefix;
    const config = {
      provider,
      model: model ?? DEFAULT_MODELS[prefix],
      ...(prefix === "openai"
        ? { apiKey: openaiKey, ...(openaiBaseURL ? { baseURL: openaiBaseURL } : {}) }
        : {}),
      ...(prefix === "anthropic" ? { apiKey: anthropicKey } : {}),
      ...(prefix === "ollama" ? { baseURL: ollamaBaseURL } : {}),
    };
    try {
      return parseChatModelConfig(config);
    } catch (error) {
      throw new ConfigError(`Invalid model configuration for role "${role}" (${variable}).`, {
        cause: error,
        details: isRagKitError(error) ? error.details : [],
      });
    }
  };

  const out = {} as RoleModelConfigs;
  for (const role of MODEL_ROLES) out[role] = resolve(role);
  return out;
}

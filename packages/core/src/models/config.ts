import { z } from "zod";
import { validationErrorFromZod } from "../errors/index.js";

export const MODEL_PROVIDERS = ["openai", "anthropic", "openai-compatible"] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/** The roles of the agent that can be backed by their own model (see docs/models.md). */
export const MODEL_ROLES = ["analyze", "rewrite", "generate", "validate"] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_TIMEOUT_MS = 60_000;

export const chatModelConfigSchema = z
  .object({
    provider: z.enum(MODEL_PROVIDERS),
    model: z.string().trim().min(1, "must be a non-empty model name"),
    apiKey: z.string().min(1).optional(),
    baseURL: z.url({ protocol: /^https?$/ }).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxRetries: z.number().int().min(0).max(10).default(DEFAULT_MAX_RETRIES),
    timeoutMs: z.number().int().positive().max(600_000).default(DEFAULT_TIMEOUT_MS),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.provider === "openai-compatible" && config.baseURL === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["baseURL"],
        message: 'is required for provider "openai-compatible" (e.g. http://localhost:11434/v1 for Ollama)',
      });
    }
  });

/** What callers pass (defaults optional). */
export type ChatModelConfigInput = z.input<typeof chatModelConfigSchema>;
/** After validation: defaults applied. */
export type ChatModelConfig = z.output<typeof chatModelConfigSchema>;

/** One model config per role; `null` from `modelsFromEnv` means "no provider configured: use the offline defaults". */
export type RoleModelConfigs = Record<ModelRole, ChatModelConfig>;

/** Validates a config; the error never contains the API key (zod issues carry no input values). */
export function parseChatModelConfig(input: unknown): ChatModelConfig {
  const result = chatModelConfigSchema.safeParse(input);
  if (!result.success) throw validationErrorFromZod("model config", result.error.issues);
  return result.data;
}

/** A copy that is safe to log: the API key is replaced by a marker. */
export function redactModelConfig(config: ChatModelConfigInput): Omit<ChatModelConfigInput, "apiKey"> & {
  apiKey?: "[redacted]";
} {
  const { apiKey, ...rest } = config;
  return apiKey === undefined ? rest : { ...rest, apiKey: "[redacted]" };
}

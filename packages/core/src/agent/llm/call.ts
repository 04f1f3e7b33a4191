import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { z } from "zod";
import { type StreamableChatModel, type StreamTextResult, streamText } from "../../models/stream.js";
import type { toolDefinition } from "../client-tools.js";
import type { ModelCallbacks } from "../models.js";

/** The name usage is recorded under: the provider's model id when the model exposes one. */
export function modelName(model: BaseChatModel): string {
  const own = (model as unknown as { model?: unknown; modelName?: unknown }).model;
  if (typeof own === "string" && own) return own;
  const legacy = (model as unknown as { modelName?: unknown }).modelName;
  if (typeof legacy === "string" && legacy) return legacy;
  return model._llmType();
}

/** Does this chat model implement tool calling (`bindTools`)? */
export function supportsTools(model: BaseChatModel): boolean {
  return typeof model.bindTools === "function";
}

/** A tool as a model is given it: a LangChain tool the agent runs, or a client tool's definition. */
export type BindableTool = StructuredToolInterface | ReturnType<typeof toolDefinition>;

export function bindTools(model: BaseChatModel, tools: readonly BindableTool[]): StreamableChatModel {
  return model.bindTools!([...tools]) as unknown as StreamableChatModel;
}

export interface CallOptions extends ModelCallbacks {
  role: string;
  signal?: AbortSignal | undefined;
  onToken?: (delta: string) => void;
  /** A model with tools bound (`bindTools`), called instead of `model` (usage is still reported as `model`'s). */
  bound?: StreamableChatModel;
}

/**
 * One streamed model call (see `streamText`: abort, retries, error mapping) that reports its token usage under
 * the calling role. Failures are RagKitErrors (rate_limited, provider_error, timeout, aborted, …).
 */
export async function callModel(
  model: BaseChatModel,
  messages: BaseMessage[],
  options: CallOptions,
): Promise<StreamTextResult> {
  const result = await streamText(options.bound ?? (model as unknown as StreamableChatModel), messages, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onToken ? { onToken: options.onToken } : {}),
    provider: model._llmType(),
  });
  options.onUsage?.({ role: options.role, model: modelName(model), ...result.usage });
  return result;
}

/**
 * Parses a JSON object from model output: tolerates a ```json fence or prose around the object, then validates
 * it with zod. Returns null when there is no valid object (the caller falls back).
 */
export function parseJsonOutput<T>(text: string, schema: z.ZodType<T>): T | null {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  const candidate = fenced ?? text;
  const start = candidate.indexOf("{");
  const end = candidate.lastIndexOf("}");
  if (start < 0 || end <= start) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(candidate.slice(start, end + 1));
  } catch {
    return null;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** The conversation as the prompt shows it: the last turns, each cut to a readable length. */
export function historyText(history: readonly { role: string; content: string }[], turns = 6): string {
  const recent = history.slice(-turns);
  if (recent.length === 0) return "(no earlier turns)";
  return recent.map((t) => `${t.role}: ${t.content.replace(/\s+/g, " ").slice(0, 600)}`).join("\n");
}

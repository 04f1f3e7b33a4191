import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { AIMessageChunk } from "@langchain/core/messages";
import type { ToolCall } from "@langchain/core/messages/tool";
import { RagKitError } from "../errors/index.js";
import { toModelError } from "./errors.js";

/** Anything with LangChain's `stream`: a chat model, or one with tools bound (`model.bindTools(...)`). */
export interface StreamableChatModel {
  stream(
    input: BaseLanguageModelInput,
    options?: { signal?: AbortSignal },
  ): Promise<AsyncIterable<AIMessageChunk>>;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface StreamTextOptions {
  signal?: AbortSignal;
  /** Called with each text delta, in order; the deltas concatenate to `text`. */
  onToken?: (delta: string) => void;
  /** Used in error messages only. */
  provider?: string;
}

export interface StreamTextResult {
  text: string;
  /** Zeros when the provider reported none. */
  usage: TokenUsage;
  /** Complete tool calls (arguments parsed from the streamed partial JSON). */
  toolCalls: ToolCall[];
  /** `stop`, `length`, `tool_calls`, `end_turn`, ... as the provider names it; null if none was reported. */
  finishReason: string | null;
  /** The whole message, all chunks concatenated. */
  message: AIMessageChunk | null;
}

function abortedError(provider?: string): RagKitError {
  return new RagKitError("aborted", `The ${provider ? `${provider} ` : ""}model call was cancelled.`);
}

/** Resolves with `promise`, or rejects with `aborted` as soon as the signal fires (the promise is abandoned). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, provider?: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortedError(provider));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(abortedError(provider));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function finishReasonOf(chunk: AIMessageChunk): string | null {
  // OpenAI: response_metadata.finish_reason; Anthropic: the message_delta's stop_reason in additional_kwargs.
  const sources = [chunk.response_metadata, chunk.additional_kwargs] as Array<
    Record<string, unknown> | undefined
  >;
  for (const source of sources) {
    for (const key of ["finish_reason", "stop_reason"]) {
      const value = source?.[key];
      if (typeof value === "string" && value.length > 0) return value;
    }
  }
  return null;
}

/**
 * Streams a chat completion: calls `onToken` with every text delta and returns the text, the token usage,
 * parsed tool calls and the finish reason. Abort is honoured promptly: the pending read is abandoned the moment
 * the signal fires (the HTTP request is cancelled through the same signal) and the call rejects with
 * `RagKitError("aborted")`. An error thrown by `onToken` is rethrown as is. Every other failure is mapped by
 * `toModelError` (429 → rate_limited, …); a stream that ends without a finish reason (connection cut) is a
 * `provider_error`.
 */
export async function streamText(
  model: StreamableChatModel,
  messages: BaseLanguageModelInput,
  options: StreamTextOptions = {},
): Promise<StreamTextResult> {
  const { signal, onToken, provider } = options;
  if (signal?.aborted) throw abortedError(provider);
  let iterator: AsyncIterator<AIMessageChunk> | undefined;
  let full: AIMessageChunk | null = null;
  let text = "";
  let finishReason: string | null = null;
  // Usage is the maximum per field over the chunks, not their sum: OpenAI reports once (final chunk), Anthropic
  // reports input in message_start and a *cumulative* output count in message_delta (LangChain's concat would add
  // message_start's provisional output count to it).
  const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  let callbackError: { error: unknown } | undefined;
  try {
    const stream = await raceAbort(model.stream(messages, signal ? { signal } : {}), signal, provider);
    iterator = stream[Symbol.asyncIterator]();
    for (;;) {
      const step = await raceAbort(iterator.next(), signal, provider);
      if (step.done) break;
      const chunk = step.value;
      full = full === null ? chunk : full.concat(chunk);
      finishReason = finishReasonOf(chunk) ?? finishReason;
      if (chunk.usage_metadata) {
        usage.inputTokens = Math.max(usage.inputTokens, chunk.usage_metadata.input_tokens ?? 0);
        usage.outputTokens = Math.max(usage.outputTokens, chunk.usage_metadata.output_tokens ?? 0);
      }
      const delta = chunk.text;
      if (delta.length > 0) {
        text += delta;
        try {
          onToken?.(delta);
        } catch (error) {
          callbackError = { error };
          throw error;
        }
      }
    }
    iterator = undefined;
  } catch (error) {
    if (iterator) {
      const pending = iterator;
      // Release the connection in the background; never wait for it.
      void Promise.resolve()
        .then(() => pending.return?.())
        .catch(() => {});
    }
    // A throwing onToken is the caller's bug, not a provider failure: rethrow it unchanged.
    if (callbackError) throw callbackError.error;
    if (signal?.aborted) throw abortedError(provider);
    throw toModelError(error, provider === undefined ? {} : { provider });
  }
  if (finishReason === null) {
    throw new RagKitError(
      "provider_error",
      `The ${provider ? `${provider} ` : ""}model stream ended before the response was complete (no finish reason); ` +
        `${text.length} characters had been received.`,
    );
  }
  usage.totalTokens = usage.inputTokens + usage.outputTokens;
  return {
    text,
    usage,
    toolCalls: full?.tool_calls ?? [],
    finishReason,
    message: full,
  };
}

import { delay } from "msw";

export type SseEnd = "close" | "hang" | "cut";

/** An SSE body from raw frames; `hang` never ends (only an abort can stop it), `cut` errors like a dropped socket. */
export function sseStream(frames: readonly string[], end: SseEnd = "close"): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const frame = frames[next++];
      if (frame !== undefined) {
        controller.enqueue(encoder.encode(frame));
        return;
      }
      if (end === "close") controller.close();
      else if (end === "cut") controller.error(new TypeError("terminated: other side closed"));
      else await delay("infinite");
    },
  });
}

export const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

const base = {
  id: "chatcmpl-abc123",
  object: "chat.completion.chunk",
  created: 1_764_000_000,
  model: "gpt-4o-mini",
};

/** OpenAI Chat Completions stream frames: role chunk, one chunk per token, finish chunk, usage chunk, [DONE]. */
export function openaiFrames(
  tokens: readonly string[],
  options: { usage?: { prompt: number; completion: number }; finish?: boolean; done?: boolean } = {},
): string[] {
  const frame = (body: unknown) => `data: ${JSON.stringify(body)}\n\n`;
  const frames = [
    frame({
      ...base,
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      usage: null,
    }),
    ...tokens.map((content) =>
      frame({
        ...base,
        choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
        usage: null,
      }),
    ),
  ];
  if (options.finish !== false) {
    frames.push(
      frame({
        ...base,
        choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }],
        usage: null,
      }),
    );
  }
  if (options.usage) {
    const { prompt, completion } = options.usage;
    frames.push(
      frame({
        ...base,
        choices: [],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      }),
    );
  }
  if (options.done !== false) frames.push("data: [DONE]\n\n");
  return frames;
}

/** OpenAI tool-call stream: the arguments JSON arrives in pieces. */
export function openaiToolCallFrames(
  name: string,
  argumentPieces: readonly string[],
  id = "call_Xy12",
): string[] {
  const frame = (body: unknown) => `data: ${JSON.stringify(body)}\n\n`;
  return [
    frame({
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            role: "assistant",
            content: null,
            tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: "" } }],
          },
          logprobs: null,
          finish_reason: null,
        },
      ],
      usage: null,
    }),
    ...argumentPieces.map((piece) =>
      frame({
        ...base,
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] },
            logprobs: null,
            finish_reason: null,
          },
        ],
        usage: null,
      }),
    ),
    frame({
      ...base,
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" }],
      usage: null,
    }),
    frame({ ...base, choices: [], usage: { prompt_tokens: 40, completion_tokens: 18, total_tokens: 58 } }),
    "data: [DONE]\n\n",
  ];
}

/** Anthropic Messages stream frames, as the API sends them (including a ping). */
export function anthropicFrames(
  tokens: readonly string[],
  options: { input?: number; output?: number; stop?: boolean } = {},
): string[] {
  const event = (type: string, body: unknown) => `event: ${type}\ndata: ${JSON.stringify(body)}\n\n`;
  const frames = [
    event("message_start", {
      type: "message_start",
      message: {
        id: "msg_01XFDUDYJgAACzvnptvVoYEL",
        type: "message",
        role: "assistant",
        content: [],
        model: "claude-haiku-4-5",
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: options.input ?? 25, output_tokens: 1 },
      },
    }),
    event("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    }),
    event("ping", { type: "ping" }),
    ...tokens.map((text) =>
      event("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text },
      }),
    ),
  ];
  if (options.stop !== false) {
    frames.push(
      event("content_block_stop", { type: "content_block_stop", index: 0 }),
      event("message_delta", {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: options.output ?? 15 },
      }),
      event("message_stop", { type: "message_stop" }),
    );
  }
  return frames;
}

/** Anthropic Messages stream of one tool_use block whose input JSON arrives in pieces (stop_reason tool_use). */
export function anthropicToolUseFrames(
  name: string,
  inputPieces: readonly string[],
  options: { id?: string; input?: number; output?: number } = {},
): string[] {
  const event = (type: string, body: unknown) => `event: ${type}\ndata: ${JSON.stringify(body)}\n\n`;
  return [
    event("message_start", {
      type: "message_start",
      message: {
        id: "msg_01ToolUse",
        type: "message",
        role: "assistant",
        content: [],
        model: "claude-haiku-4-5",
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: options.input ?? 60, output_tokens: 1 },
      },
    }),
    event("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id: options.id ?? "toolu_01A", name, input: {} },
    }),
    ...inputPieces.map((partial_json) =>
      event("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "input_json_delta", partial_json },
      }),
    ),
    event("content_block_stop", { type: "content_block_stop", index: 0 }),
    event("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { output_tokens: options.output ?? 20 },
    }),
    event("message_stop", { type: "message_stop" }),
  ];
}

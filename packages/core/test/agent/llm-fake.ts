import { delay, HttpResponse, http } from "msw";
import { createChatModel } from "../../src/models/create.js";
import {
  anthropicFrames,
  anthropicToolUseFrames,
  openaiFrames,
  openaiToolCallFrames,
  SSE_HEADERS,
  type SseEnd,
  sseStream,
} from "../models/sse.js";

/*
 * A scripted LLM provider on the real wire formats (OpenAI chat completions / Anthropic messages SSE, replayed by
 * msw). Each request is routed to the agent role whose system prompt it carries; a script says what that role
 * answers (text, a tool call, an HTTP error, a cut or hanging stream).
 */

export type Provider = "openai" | "anthropic";
export type Role =
  | "analyze"
  | "rewrite"
  | "rerank"
  | "generate"
  | "validate"
  | "respond"
  | "sql"
  | "summarize";

export const OPENAI_URL = "https://api.openai.com/v1/chat/completions";
export const ANTHROPIC_URL = "https://api.anthropic.com/v1/messages";

const ROLE_MARKERS: Array<[Role, string]> = [
  ["analyze", "You classify the latest user message"],
  ["rewrite", "You prepare a search"],
  ["rerank", "You judge how relevant passages"],
  ["generate", "You answer questions using only the numbered passages"],
  ["validate", "You check whether each numbered sentence"],
  ["respond", "document question-answering app"],
  ["sql", "You write one read-only PostgreSQL SELECT"],
  ["summarize", "You report the result of a database query"],
];

export interface Reply {
  text?: string;
  /** A tool call instead of text: the raw arguments JSON (may be invalid or carry extra fields). */
  toolCall?: { name: string; args: string; id?: string };
  status?: number;
  headers?: Record<string, string>;
  /** "cut": the connection drops after the text; "hang": the stream never ends (until aborted). */
  end?: SseEnd;
  /** Never send the response headers (a provider that does not answer: the request times out). */
  stall?: boolean;
}

export interface RecordedRequest {
  role: Role;
  /** Everything the model was sent, as one string (system + messages + tool results). */
  prompt: string;
  hasTools: boolean;
  body: Record<string, unknown>;
}

export type Script = Partial<Record<Role, Reply | ((prompt: string, call: number) => Reply)>>;

function promptOf(provider: Provider, body: Record<string, unknown>): string {
  const parts: string[] = [];
  const flatten = (content: unknown) => {
    if (typeof content === "string") parts.push(content);
    else if (Array.isArray(content))
      for (const c of content) {
        const block = c as { text?: unknown; content?: unknown };
        if (typeof block.text === "string") parts.push(block.text);
        else flatten(block.content);
      }
  };
  if (provider === "anthropic") flatten(body.system);
  for (const m of (body.messages ?? []) as Array<{ content?: unknown }>) flatten(m.content);
  return parts.join("\n");
}

/** Splits text into streamed tokens (words with their trailing space). */
const tokens = (text: string) => text.match(/\S+\s*|\s+/g) ?? [text];

export function fakeLlm(provider: Provider, script: () => Script) {
  const requests: RecordedRequest[] = [];
  const counts = new Map<Role, number>();
  const handler = http.post(provider === "openai" ? OPENAI_URL : ANTHROPIC_URL, async ({ request }) => {
    const body = (await request.json()) as Record<string, unknown>;
    const prompt = promptOf(provider, body);
    const role = ROLE_MARKERS.find(([, marker]) => prompt.includes(marker))?.[0];
    if (!role) return HttpResponse.json({ error: { message: "unknown role" } }, { status: 400 });
    const call = (counts.get(role) ?? 0) + 1;
    counts.set(role, call);
    requests.push({ role, prompt, hasTools: Array.isArray(body.tools) && body.tools.length > 0, body });
    const entry = script()[role];
    const reply: Reply = typeof entry === "function" ? entry(prompt, call) : (entry ?? { text: "{}" });
    if (reply.stall) await delay("infinite");
    if (reply.status) {
      return HttpResponse.json(
        { type: "error", error: { type: "api_error", message: `scripted ${reply.status}` } },
        { status: reply.status, ...(reply.headers ? { headers: reply.headers } : {}) },
      );
    }
    const end = reply.end ?? "close";
    const open = end !== "close";
    let frames: string[];
    if (reply.toolCall) {
      const pieces = [reply.toolCall.args.slice(0, 5), reply.toolCall.args.slice(5)];
      frames =
        provider === "openai"
          ? openaiToolCallFrames(reply.toolCall.name, pieces, reply.toolCall.id)
          : anthropicToolUseFrames(reply.toolCall.name, pieces, { id: reply.toolCall.id ?? "toolu_01A" });
    } else {
      const text = tokens(reply.text ?? "");
      frames =
        provider === "openai"
          ? openaiFrames(text, { usage: { prompt: 100, completion: 10 }, finish: !open, done: !open })
          : anthropicFrames(text, { input: 100, output: 10, stop: !open });
    }
    return new HttpResponse(sseStream(frames, end), { headers: SSE_HEADERS });
  });
  return { handler, requests, count: (role: Role) => counts.get(role) ?? 0 };
}

export function chatModel(provider: Provider, overrides: { maxRetries?: number; timeoutMs?: number } = {}) {
  return provider === "openai"
    ? createChatModel({
        provider,
        model: "gpt-4o-mini",
        apiKey: "sk-test-agent0000",
        maxRetries: 0,
        ...overrides,
      })
    : createChatModel({
        provider,
        model: "claude-haiku-4-5",
        apiKey: "sk-ant-test-agent0000",
        maxRetries: 0,
        ...overrides,
      });
}

/** The passage marker whose text in the generate prompt contains `needle` ("[3] (title) ... needle ..."). */
export function markerOf(prompt: string, needle: string): number | null {
  for (const m of prompt.matchAll(/\[(\d+)\] \([^)]*\) ([^\n]*)/g))
    if (m[2]!.includes(needle)) return Number(m[1]);
  return null;
}

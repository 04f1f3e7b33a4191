/** Types of fake-openai.mjs (an OpenAI-compatible chat model on 127.0.0.1), for TypeScript tests that use it. */
export type FakeRole =
  | "analyze"
  | "rewrite"
  | "rerank"
  | "generate"
  | "validate"
  | "respond"
  | "sql"
  | "summarize"
  | "unknown";

export interface FakeRequest {
  role: FakeRole;
  /** The latest user question as the agent's prompt layout carries it. */
  question: string;
  /** Every message's text, joined. */
  prompt: string;
  /** Names of the tools offered with the request. */
  tools: string[];
  messages: Array<{ role: string; content: unknown }>;
  body: Record<string, unknown>;
}

export type FakeReply =
  | { text: string; toolCall?: undefined }
  | { toolCall: { id: string; name: string; args: unknown }; text?: undefined };

export type FakeScript = (request: FakeRequest) => FakeReply;

export function markerOf(prompt: string, needle: string): number | null;
export function defaultScript(request: FakeRequest): FakeReply;
export function startFakeOpenAI(script?: FakeScript): Promise<{
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}>;

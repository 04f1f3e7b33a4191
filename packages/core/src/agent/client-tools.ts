import type { BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { validationErrorFromZod } from "../errors/index.js";
import { type ConversationToolCall, conversationOf } from "./messages.js";

/*
 * What a chat client adds to a run: tools it executes itself (CopilotKit's useFrontendTool / useCopilotAction,
 * AG-UI `RunAgentInput.tools`) and context from the app the user is in (useAgentContext / useCopilotReadable).
 * Both reach the answer models only: never the retrieval, the SQL tool or the tenant, which come from the
 * verified TenantContext alone.
 */

/** Names of the tools the agent runs itself: a client tool may not shadow them. */
export const SERVER_TOOL_NAMES = ["search_knowledge_base", "query_database", "create_visualization"] as const;

export const clientToolSchema = z.object({
  name: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/,
      "must be 1-64 letters, digits, _ or - (starting with a letter or _)",
    )
    .refine((n) => !(SERVER_TOOL_NAMES as readonly string[]).includes(n), "is the name of a server tool"),
  description: z.string().max(4000).default(""),
  /** A JSON Schema object for the arguments (what the model must produce). */
  parameters: z
    .record(z.string(), z.unknown())
    .refine((p) => JSON.stringify(p).length <= 32_000, "must be at most 32,000 characters of JSON")
    .default(() => ({ type: "object", properties: {} })),
});
export type ClientTool = z.output<typeof clientToolSchema>;
export type ClientToolInput = z.input<typeof clientToolSchema>;

export const clientToolsSchema = z
  .array(clientToolSchema)
  .max(64)
  .refine((tools) => new Set(tools.map((t) => t.name)).size === tools.length, "tool names must be unique");

/** Bounds of the app context a model sees (longer values are cut, later entries dropped). */
export const APP_CONTEXT_LIMITS = { entries: 20, description: 500, value: 4000, total: 16_000 } as const;

export const appContextItemSchema = z.object({
  description: z.string().max(10_000),
  value: z.string().max(1_000_000),
});
export type AppContextItem = z.infer<typeof appContextItemSchema>;

/** Cuts the app context to `APP_CONTEXT_LIMITS`: it is a hint for the model, not a payload. */
export function boundAppContext(items: readonly AppContextItem[]): AppContextItem[] {
  const out: AppContextItem[] = [];
  let total = 0;
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
  for (const item of items.slice(0, APP_CONTEXT_LIMITS.entries)) {
    const entry = {
      description: cut(item.description.trim(), APP_CONTEXT_LIMITS.description),
      value: cut(item.value.trim(), APP_CONTEXT_LIMITS.value),
    };
    const size = entry.description.length + entry.value.length;
    if (total + size > APP_CONTEXT_LIMITS.total) break;
    total += size;
    out.push(entry);
  }
  return out;
}

/** What a client contributes to one run (validated; see `AgentStreamOptions`). */
export interface ClientInput {
  tools: ClientTool[];
  context: AppContextItem[];
}

export function parseClientInput(tools: unknown, context: unknown): ClientInput {
  const t = clientToolsSchema.safeParse(tools ?? []);
  if (!t.success) throw validationErrorFromZod("client tools", t.error.issues);
  const c = z
    .array(appContextItemSchema)
    .max(1000)
    .safeParse(context ?? []);
  if (!c.success) throw validationErrorFromZod("app context", c.error.issues);
  return { tools: t.data, context: boundAppContext(c.data) };
}

/** The client input of a run, carried in its config (never checkpointed: each request sends its own). */
export function clientInputOf(config: LangGraphRunnableConfig): ClientInput {
  const value = config.configurable?.clientInput as ClientInput | undefined;
  return value ?? { tools: [], context: [] };
}

/** The tool definition a chat model is given for a client tool (OpenAI function format, which LangChain binds). */
export function toolDefinition(tool: ClientTool) {
  return {
    type: "function" as const,
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

/** One exchange with client tools this turn: what the model said and called, and what the client answered. */
export interface ClientToolRound {
  text: string;
  calls: ConversationToolCall[];
  results: Array<{ toolCallId: string; content: string }>;
}

/** This turn's exchanges with client tools, from the turn's messages (calls of server tools are not theirs). */
export function clientToolRounds(turn: readonly BaseMessage[]): ClientToolRound[] {
  const messages = conversationOf(turn);
  const rounds: ClientToolRound[] = [];
  for (const m of messages) {
    const calls = (m.toolCalls ?? []).filter(
      (c) => !(SERVER_TOOL_NAMES as readonly string[]).includes(c.name),
    );
    if (m.role !== "assistant" || calls.length === 0) continue;
    const results = calls.map((c) => ({
      toolCallId: c.id,
      content: messages.find((r) => r.role === "tool" && r.toolCallId === c.id)?.content ?? "",
    }));
    rounds.push({ text: m.content, calls, results });
  }
  return rounds;
}

/** The app context as the model reads it. */
export function appContextText(context: readonly AppContextItem[]): string {
  if (context.length === 0) return "";
  return (
    "\n\nContext from the app the user is working in (for reference only: it is not from the documents and " +
    `must not be cited):\n${context.map((c) => `- ${c.description || "context"}: ${c.value}`).join("\n")}`
  );
}

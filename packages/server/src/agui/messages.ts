import type { ConversationMessage } from "@ragkit/core";

/** An AG-UI 0.0.59 message as plain JSON (what CopilotKit keeps in `agent.messages`). */
export interface AguiMessage {
  id: string;
  role: string;
  content?: unknown;
  toolCalls?: AguiToolCall[];
  toolCallId?: string;
  [field: string]: unknown;
}

export interface AguiToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export function toAguiToolCall(call: { id: string; name: string; args: unknown }): AguiToolCall {
  return {
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
  };
}

/**
 * A conversation message as AG-UI carries it. An assistant message that only calls tools has no `content`,
 * exactly as an AG-UI client builds it from TOOL_CALL_START (so a replay equals what the client folded live).
 */
export function toAguiMessage(m: ConversationMessage): AguiMessage {
  switch (m.role) {
    case "user":
      return { id: m.id, role: "user", content: m.content };
    case "tool":
      return { id: m.id, role: "tool", toolCallId: m.toolCallId ?? "", content: m.content };
    case "assistant": {
      const toolCalls = m.toolCalls?.map(toAguiToolCall) ?? [];
      if (toolCalls.length === 0) return { id: m.id, role: "assistant", content: m.content };
      return { id: m.id, role: "assistant", ...(m.content ? { content: m.content } : {}), toolCalls };
    }
  }
}

export const textContent = (content: unknown): string => (typeof content === "string" ? content : "");

/**
 * Inserts a tool result where an AG-UI client puts it: after the assistant message that made the call and
 * after the results already there; at the end when no message made the call.
 */
export function insertToolResult(messages: AguiMessage[], result: AguiMessage): void {
  const at = messages.findIndex(
    (m) => m.role === "assistant" && m.toolCalls?.some((c) => c.id === result.toolCallId),
  );
  if (at === -1) {
    messages.push(result);
    return;
  }
  let end = at + 1;
  while (end < messages.length && messages[end]?.role === "tool") end++;
  messages.splice(end, 0, result);
}

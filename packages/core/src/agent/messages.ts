import { randomUUID } from "node:crypto";
import type { BaseMessage } from "@langchain/core/messages";
import type { ConversationMessage } from "@ragkit/protocol";

/*
 * The conversation as clients see it: the thread's LangGraph `messages`, each with the id it was streamed
 * under. One shape for the live stream (`message` events), replays and the threads API, so that what a user
 * saw live is exactly what they see after a reload.
 */

export {
  type ConversationMessage,
  type ConversationToolCall,
  conversationMessageSchema,
  conversationToolCallSchema,
} from "@ragkit/protocol";

/** Marks a user message that answered a pending approval ("approve"): shown, but never taken as the question. */
const APPROVAL_REPLY = "ragkit_approval_reply";

export function isApprovalReply(message: BaseMessage): boolean {
  return message.getType() === "human" && message.additional_kwargs?.[APPROVAL_REPLY] === true;
}

export const approvalReplyKwargs = { [APPROVAL_REPLY]: true } as const;

export function newMessageId(kind: "user" | "answer" | "approval" | "tool"): string {
  return `${kind}-${randomUUID()}`;
}

/** A LangChain message as a conversation message; null for system messages and anything without an id. */
export function conversationMessage(message: BaseMessage): ConversationMessage | null {
  const id = message.id;
  if (!id) return null;
  const content = message.text;
  switch (message.getType()) {
    case "human":
      return { id, role: "user", content };
    case "ai": {
      const calls = (message as { tool_calls?: Array<{ id?: string; name: string; args: unknown }> })
        .tool_calls;
      const toolCalls = (calls ?? []).map((c) => ({
        id: c.id ?? "",
        name: c.name,
        args: (c.args ?? {}) as Record<string, unknown>,
      }));
      return toolCalls.length
        ? { id, role: "assistant", content, toolCalls }
        : { id, role: "assistant", content };
    }
    case "tool":
      return {
        id,
        role: "tool",
        content,
        toolCallId: (message as { tool_call_id?: string }).tool_call_id ?? "",
      };
    default:
      return null;
  }
}

export function conversationOf(messages: readonly BaseMessage[]): ConversationMessage[] {
  return messages.flatMap((m) => conversationMessage(m) ?? []);
}

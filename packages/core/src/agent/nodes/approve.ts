import { AIMessage } from "@langchain/core/messages";
import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { RagKitError } from "../../errors/index.js";
import { type ApprovalRequest, approvalNote, parseDecision } from "../approval.js";
import { newMessageId } from "../messages.js";
import type { RagAgentStateUpdate, RagAgentStateValue } from "../state.js";
import { type GraphDeps, step, textWriter } from "./common.js";

/**
 * The approval gate. A step that needs a person's go-ahead (query, retrieve) stores its request and a note
 * message in the state and routes here; this node only pauses (LangGraph `interrupt`) — so a resume re-runs
 * nothing but this node — and hands the decision back to the step.
 */
export function approveNode() {
  return step("approve", async (state) => {
    const pending = state.approval;
    if (!pending || pending.decision !== null) {
      throw new RagKitError("conflict", "There is no pending approval on this thread.");
    }
    const request: ApprovalRequest & { messageId: string } = {
      ...pending.request,
      messageId: pending.messageId,
    };
    const decision = parseDecision(pending.request.tool, interrupt(request));
    return { approval: { ...pending, decision } };
  });
}

/** approve → the step that asked, now with its decision. */
export function routeAfterApprove(
  state: Pick<RagAgentStateValue, "approval">,
): "query" | "retrieve" | "__end__" {
  if (!state.approval) return "__end__";
  return state.approval.request.tool === "query_database" ? "query" : "retrieve";
}

/** Streams the note that shows a pending approval, and stores the request for the `approve` node. */
export async function approvalNoteUpdate(
  deps: GraphDeps,
  config: LangGraphRunnableConfig,
  request: ApprovalRequest,
  question: string,
): Promise<RagAgentStateUpdate> {
  const messageId = newMessageId("approval");
  const note = approvalNote(request);
  const writer = textWriter(config, deps, messageId, true);
  writer.text(note);
  await writer.drain();
  return {
    approval: { request, messageId, question, decision: null },
    messages: [new AIMessage({ id: messageId, content: note })],
  };
}

import { Overwrite } from "@langchain/langgraph";
import { RagKitError } from "../../errors/index.js";
import { callbacks, type GraphDeps, lastUserMessage, step, tenantFromConfig } from "./common.js";

const INTENT_LABEL = {
  factual: "a factual question",
  analytical: "an analytical question",
  conversational: "conversation",
  data_question: "a data question",
  chart_request: "a chart request",
} as const;

/** Starts a turn: checks the thread's owner, classifies the message and resets the per-turn fields. */
export function analyzeNode(deps: GraphDeps) {
  return step("analyze", async (state, config) => {
    const tenant = tenantFromConfig(config);
    if (state.tenantId && state.tenantId !== tenant.tenantId) {
      throw new RagKitError("invalid_input", "This conversation belongs to another tenant.");
    }
    const { message, history } = lastUserMessage(state.messages);
    const calls = callbacks(config.signal);
    const analysis = await deps.models.analyze({
      message,
      history,
      previousQuery: state.queries?.standalone ?? null,
      ...calls.input,
    });
    const about =
      analysis.entities.length && analysis.intent !== "conversational"
        ? ` about ${analysis.entities.slice(0, 4).join(", ")}`
        : "";
    const thoughts = [...calls.notes, `Reading this as ${INTENT_LABEL[analysis.intent]}${about}.`];
    if (analysis.followUp) thoughts.push("It follows up on the previous question.");
    if (analysis.intent === "data_question" || analysis.intent === "chart_request") {
      thoughts.push(
        deps.sqlStore
          ? "Answering from your structured data with a read-only database query."
          : "Database tools are not available here: searching the documents instead.",
      );
    }
    return {
      analysis,
      passages: [],
      answer: "",
      answerKind: "none",
      citations: [],
      validation: null,
      toolCalls: [],
      approval: null,
      pendingToolCalls: [],
      toolNode: null,
      attempts: 0,
      thoughts: new Overwrite(thoughts),
      // A new turn: the usage of earlier turns stays in their checkpoints, not in this turn's state.
      usage: new Overwrite(calls.usage),
    };
  });
}

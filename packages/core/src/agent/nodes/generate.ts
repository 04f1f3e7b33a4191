import { AIMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { clientInputOf, clientToolRounds } from "../client-tools.js";
import { newMessageId } from "../messages.js";
import type { ClientModelInput } from "../models.js";
import type { RagAgentStateValue } from "../state.js";
import { createAgentTools } from "../tools.js";
import {
  callbacks,
  type GraphDeps,
  lastUserMessage,
  step,
  tenantFromConfig,
  textWriter,
  turnMessages,
} from "./common.js";

/** What the client of this run adds for an answer model (tools, this turn's tool exchanges, app context). */
export function clientModelInput(
  state: RagAgentStateValue,
  config: LangGraphRunnableConfig,
): ClientModelInput {
  const { tools, context } = clientInputOf(config);
  return { tools, context, rounds: clientToolRounds(turnMessages(state.messages)) };
}

export function generateNode(deps: GraphDeps) {
  return step("generate", async (state, config) => {
    const { message } = lastUserMessage(state.messages);
    const calls = callbacks(config.signal);
    const regenerating = state.attempts > 0;
    // Built per run: the tools close over this run's tenant, which the model can neither see nor choose.
    const tools = deps.answerTools
      ? [
          createAgentTools({
            store: deps.store,
            tenant: tenantFromConfig(config),
            topK: deps.retrieveTopK,
            signal: config.signal,
          }).searchKnowledgeBase,
        ]
      : undefined;
    // A regenerated answer replaces the first one in the conversation (same message id), live and stored.
    const previousId = regenerating ? state.messages.findLast((m) => m.getType() === "ai")?.id : undefined;
    const messageId = previousId ?? newMessageId("answer");
    const writer = textWriter(config, deps, messageId, deps.offline.answer);
    let first = regenerating;
    const client = clientModelInput(state, config);
    const result = await deps.models.answer({
      question: message,
      rewrite: state.queries!,
      passages: state.passages,
      onDelta: (delta) => {
        writer.write(delta, first);
        first = false;
      },
      ...calls.input,
      ...(tools ? { tools } : {}),
      ...(regenerating && state.validation ? { feedback: state.validation.issues } : {}),
      ...(client.tools.length || client.rounds.length || client.context.length ? { client } : {}),
    });
    await writer.drain();
    const extra = result.passages ?? [];
    const passages = extra.length ? { passages: [...state.passages, ...extra] } : {};
    if (result.toolCalls?.length) {
      // The model wants the client to run tools first: the turn pauses here (→ END) until their results come.
      return {
        messages: [
          new AIMessage({ id: messageId, content: result.text, tool_calls: toolCallsOf(result.toolCalls) }),
        ],
        pendingToolCalls: result.toolCalls,
        toolNode: "generate",
        ...passages,
        thoughts: [...calls.notes, `Asked the app to run ${result.toolCalls.map((c) => c.name).join(", ")}.`],
        usage: calls.usage,
      };
    }
    const thoughts = [
      ...calls.notes,
      result.kind === "extractive"
        ? `Quoted ${result.citations.length} sentence(s) from the sources.`
        : result.kind === "none"
          ? "Nothing relevant enough to answer from."
          : `Wrote an answer with ${result.citations.length} citation(s).`,
    ];
    if (extra.length) thoughts.unshift(`Searched again and found ${extra.length} more passage(s).`);
    return {
      answer: result.text,
      answerKind: result.kind,
      citations: result.citations,
      attempts: state.attempts + 1,
      messages: [new AIMessage({ content: result.text, id: messageId })],
      pendingToolCalls: [],
      toolNode: null,
      ...passages,
      thoughts,
      usage: calls.usage,
    };
  });
}

export const toolCallsOf = (
  calls: ReadonlyArray<{ id: string; name: string; args: Record<string, unknown> }>,
) => calls.map((c) => ({ id: c.id, name: c.name, args: c.args, type: "tool_call" as const }));

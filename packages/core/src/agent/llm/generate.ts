import { randomUUID } from "node:crypto";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { RagKitError } from "../../errors/index.js";
import { appContextText, toolDefinition } from "../client-tools.js";
import type { ConversationToolCall } from "../messages.js";
import type { AnswerInput, AnswerOutput, ClientModelInput } from "../models.js";
import { NO_ANSWER } from "../offline.js";
import { pageAt } from "../pages.js";
import type { Citation, Passage } from "../state.js";
import { contentTerms, splitSentences } from "../text.js";
import { formatPassages, runToolCall } from "../tools.js";
import { splitClaims } from "../validate.js";
import { type BindableTool, bindTools, callModel, supportsTools } from "./call.js";

const SYSTEM = `You answer questions using only the numbered passages from the user's documents.
Rules:
- Every sentence that states a fact ends with the marker(s) of the passage(s) it comes from, like [1] or [2][3].
- Use only facts found in the passages; copy numbers exactly. Do not cite passages that do not say it.
- If the passages do not answer the question, say so briefly instead of guessing.
- Be concise: a few sentences, in the language of the question.`;

const TOOL_HINT = `If the passages are not enough, you may call search_knowledge_base once or twice with a better
query; its results are numbered after the passages you already have.`;

const CLIENT_TOOL_HINT = `The app you are embedded in also offers tools of its own: call one when the user asks for
something the app does (it runs in the user's browser and its result comes back to you).`;

export interface LlmGenerateOptions {
  /** Follow-up searches the model may make through search_knowledge_base. Default 2. */
  maxToolRounds?: number;
  /** Rounds of client (frontend) tool calls per turn, after which the model must answer. Default 8. */
  maxClientToolRounds?: number;
}

/** The client's tools a model may still call this turn (none once `maxRounds` exchanges happened). */
export function clientToolsFor(
  model: BaseChatModel,
  client: ClientModelInput | undefined,
  maxRounds: number,
): { definitions: ReturnType<typeof toolDefinition>[]; names: Set<string> } {
  const tools = client && client.rounds.length < maxRounds && supportsTools(model) ? client.tools : [];
  return { definitions: tools.map(toolDefinition), names: new Set(tools.map((t) => t.name)) };
}

/** The turn's earlier client tool exchanges, as the model's own messages (its calls, then the results). */
export function clientRoundMessages(client: ClientModelInput | undefined): BaseMessage[] {
  return (client?.rounds ?? []).flatMap((round) => [
    new AIMessage({
      content: round.text,
      tool_calls: round.calls.map((c) => ({
        id: c.id,
        name: c.name,
        args: c.args,
        type: "tool_call" as const,
      })),
    }),
    ...round.results.map(
      (r) =>
        new ToolMessage({
          content: r.content,
          tool_call_id: r.toolCallId,
          name: round.calls.find((c) => c.id === r.toolCallId)?.name ?? "tool",
        }),
    ),
  ]);
}

/** The calls of a model response addressed to client tools (with ids: the client answers by id). */
export function clientCallsOf(
  calls: ReadonlyArray<{ id?: string | undefined; name: string; args: Record<string, unknown> }>,
  names: ReadonlySet<string>,
): ConversationToolCall[] {
  return calls
    .filter((c) => names.has(c.name))
    .map((c) => ({ id: c.id || `call_${randomUUID()}`, name: c.name, args: c.args }));
}

/** The text the model sees for a passage: its compressed sentences when the reranker kept some. */
function passageText(p: Passage): string {
  return p.sentences?.length ? p.sentences.map((s) => s.text).join(" ") : p.text;
}

/**
 * Maps the answer's [n] markers to citations: passage n, narrowed to the sentence of that passage that shares
 * the most terms with the answer sentence citing it (offsets are document offsets, so `quote` is verbatim).
 */
export function citationsFor(answer: string, passages: readonly Passage[]): Citation[] {
  const claimOf = new Map<number, string>();
  for (const claim of splitClaims(answer)) {
    for (const m of claim.markers) if (!claimOf.has(m)) claimOf.set(m, claim.text);
  }
  const citations: Citation[] = [];
  for (const [marker, claim] of [...claimOf].sort((a, b) => a[0] - b[0])) {
    const p = passages[marker - 1];
    if (!p) continue; // an unknown marker: left in the text, flagged by validation
    const terms = new Set(contentTerms(claim));
    let best = { start: p.start, end: p.end, text: p.text, hits: -1 };
    for (const s of splitSentences(p.text)) {
      const hits = contentTerms(s.text).filter((t) => terms.has(t)).length;
      if (hits > best.hits) best = { start: p.start + s.start, end: p.start + s.end, text: s.text, hits };
    }
    citations.push({
      marker,
      chunkId: p.chunkId,
      documentId: p.documentId,
      documentTitle: p.documentTitle,
      start: best.start,
      end: best.end,
      quote: best.text,
      pageNumber: pageAt(p, best.start),
    });
  }
  return citations;
}

/**
 * LLM answer: streams the text through `onDelta`, with [n] markers tied to the passages. When tools are given
 * and the model can call them, it may search again (at most `maxToolRounds` rounds; the last call has no tools,
 * so the model must answer). Passages found that way are numbered after the given ones and returned.
 */
export function llmGenerate(model: BaseChatModel, options: LlmGenerateOptions = {}) {
  const maxRounds = options.maxToolRounds ?? 2;
  const maxClientRounds = options.maxClientToolRounds ?? 8;
  return async (input: AnswerInput): Promise<AnswerOutput> => {
    const client = clientToolsFor(model, input.client, maxClientRounds);
    if (input.passages.length === 0 && client.names.size === 0) {
      input.onDelta(NO_ANSWER);
      return { text: NO_ANSWER, citations: [], kind: "none" };
    }
    const passages = [...input.passages];
    const tools = input.tools?.length && supportsTools(model) && maxRounds > 0 ? input.tools : null;
    const system = [
      SYSTEM,
      ...(tools ? [TOOL_HINT] : []),
      ...(client.names.size ? [CLIENT_TOOL_HINT] : []),
    ].join("\n");
    const feedback = input.feedback?.length
      ? `\n\nYour previous answer was not supported by the passages:\n- ${input.feedback.join("\n- ")}\nWrite it again, citing only what the passages say.`
      : "";
    const listed = passages.length
      ? passages.map((p, i) => `[${i + 1}] (${p.documentTitle ?? "untitled"}) ${passageText(p)}`).join("\n\n")
      : "(none found)";
    const messages: BaseMessage[] = [
      new SystemMessage(system),
      new HumanMessage(
        `Passages:\n${listed}\n\nQuestion: ${input.question}${feedback}${appContextText(input.client?.context ?? [])}`,
      ),
      ...clientRoundMessages(input.client),
    ];
    let text = "";
    const onToken = (delta: string) => {
      text += delta;
      input.onDelta(delta);
    };
    const common = {
      role: "generate",
      signal: input.signal,
      onToken,
      ...(input.onUsage ? { onUsage: input.onUsage } : {}),
    };
    for (let round = 0; ; round++) {
      const withTools = tools !== null && round < maxRounds;
      const bound: BindableTool[] = [...(withTools ? tools : []), ...client.definitions];
      const result = await callModel(
        model,
        messages,
        bound.length ? { ...common, bound: bindTools(model, bound) } : common,
      );
      const forClient = clientCallsOf(result.toolCalls, client.names);
      if (forClient.length > 0) {
        // The client runs these (calls of server tools in the same response are dropped: the model sees the
        // client's results first and may search again then).
        const extra = passages.slice(input.passages.length);
        return {
          text,
          citations: citationsFor(text, passages),
          kind: "generative",
          toolCalls: forClient,
          ...(extra.length ? { passages: extra } : {}),
        };
      }
      // Tool calls whose arguments are not JSON at all: answered with an error so the model can correct itself.
      const invalid = result.message?.invalid_tool_calls ?? [];
      if (!withTools || (result.toolCalls.length === 0 && invalid.length === 0)) break;
      // Only well-formed calls go into the history (providers reject results for calls they cannot parse).
      if (result.toolCalls.length > 0 || result.text.length > 0) {
        messages.push(new AIMessage({ content: result.text, tool_calls: result.toolCalls }));
      }
      for (const call of result.toolCalls) {
        const reply = await runToolCall(tools, call);
        const found = (Array.isArray(reply.artifact) ? reply.artifact : []) as Passage[];
        const fresh = found.filter((p) => !passages.some((q) => q.chunkId === p.chunkId));
        const first = passages.length + 1;
        passages.push(...fresh);
        // The model sees the new passages with the markers it must use for them.
        messages.push(
          reply.status === "error"
            ? reply
            : new ToolMessage({
                content: fresh.length ? formatPassages(fresh, first) : "No new passages.",
                tool_call_id: reply.tool_call_id,
                name: call.name,
              }),
        );
        input.onNote?.(
          reply.status === "error"
            ? `A tool call was refused: ${String(reply.content).slice(0, 200)}`
            : `Searched the documents again for "${String(call.args.query ?? "").slice(0, 100)}".`,
        );
      }
      if (invalid.length > 0) {
        messages.push(
          new HumanMessage(
            `Your call to ${invalid[0]!.name ?? "a tool"} had arguments that are not valid JSON, so it did not run. ` +
              "Call the tool again with valid JSON arguments, or answer from the passages.",
          ),
        );
        input.onNote?.("A tool call with invalid arguments was refused.");
      }
    }
    if (text.trim().length === 0) {
      // Nothing to show or cite (e.g. the model kept calling tools with broken arguments): fail clearly.
      throw new RagKitError("provider_error", "The answer model returned no text.");
    }
    const extra = passages.slice(input.passages.length);
    return {
      text,
      citations: citationsFor(text, passages),
      kind: "generative",
      ...(extra.length ? { passages: extra } : {}),
    };
  };
}

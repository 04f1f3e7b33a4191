import type { AgentEvent, AgentEventOf, AgentSharedState, ConversationMessage } from "@ragkit/protocol";
import {
  type AguiMessage,
  insertToolResult,
  textContent,
  toAguiMessage,
  toAguiToolCall,
} from "./messages.js";

/** An AG-UI 0.0.59 event, as plain JSON (the `@ag-ui/core` shapes; validated by the contract tests). */
export type AguiEvent = { type: string } & Record<string, unknown>;

export const INTERRUPT_EVENT = "on_interrupt";

/** The shared state CopilotKit's `useAgent`/`useCoAgent` sees for a RagKit run, before its first event. */
export function initialState(): AgentSharedState {
  return {
    step: "start",
    progress: 0,
    thoughts: [],
    citations: [],
    validation: null,
    toolCalls: [],
    interrupt: null,
    answerKind: null,
  };
}

const replace = (path: string, value: unknown) => ({ op: "replace", path, value });

/** How the mapper shows a pending approval besides the note message and CUSTOM `on_interrupt`. */
export interface AguiMapperOptions {
  /**
   * Also end an interrupted run with AG-UI's standard `RUN_FINISHED.outcome: "interrupt"`. AG-UI clients then
   * refuse every new message on the thread until the interrupt is resumed (`Thread has 1 pending interrupt(s)
   * not addressed by resume`), which strands chats without a `useInterrupt` handler. Default false.
   */
  standardInterrupts?: boolean;
  /** The client's messages when the run started (`RunAgentInput.messages`): edits are sent as snapshots of them. */
  messages?: readonly AguiMessage[];
}

/**
 * Turns a run's stored agent events into AG-UI events, keeping what the AG-UI client verifies: RUN_STARTED
 * first; text messages and steps opened and closed in pairs (all closed before RUN_FINISHED); RUN_FINISHED or
 * RUN_ERROR last. Step, progress, thoughts, citations, validation and a pending approval travel as shared
 * state (STATE_SNAPSHOT, then JSON-Patch STATE_DELTA); an approval also as CUSTOM `on_interrupt`, the event
 * CopilotKit's `useInterrupt` listens for, and as the note message every chat shows.
 *
 * Messages use the ids the thread stores, and the mapper folds what it emits over the client's messages:
 * when a message changes after it was shown (a regenerated answer, a declined approval's note) it sends a
 * MESSAGES_SNAPSHOT of that folded list, so the client ends with exactly what a replay (`connect`) shows.
 * Tool calls carry their assistant message as `parentMessageId`.
 */
export class AguiMapper {
  private open: string | null = null;
  private readonly openSteps = new Set<string>();
  private readonly state = initialState();
  private readonly folded: AguiMessage[];
  private answered = false;

  constructor(
    private readonly ids: { threadId: string; runId: string },
    private readonly options: AguiMapperOptions = {},
  ) {
    this.folded = structuredClone([...(options.messages ?? [])]);
  }

  /** The conversation as the client has it after the events mapped so far. */
  get messages(): readonly AguiMessage[] {
    return this.folded;
  }

  /**
   * The AG-UI events of one agent event. The switch is exhaustive over the agent's event union: a new event
   * type does not compile until it is mapped here (and in the protocol's `toChatEvent`).
   */
  map(event: AgentEvent): AguiEvent[] {
    const out: AguiEvent[] = [];
    switch (event.type) {
      case "run_started":
        out.push({ type: "RUN_STARTED", threadId: this.ids.threadId, runId: this.ids.runId });
        out.push({ type: "STATE_SNAPSHOT", snapshot: { ...this.state } });
        break;
      case "step_started": {
        const { step } = event;
        if (!this.openSteps.has(step)) {
          this.openSteps.add(step);
          out.push({ type: "STEP_STARTED", stepName: step });
        }
        this.state.step = step;
        out.push({ type: "STATE_DELTA", delta: [replace("/step", step)] });
        break;
      }
      case "step_finished":
        if (this.openSteps.delete(event.step)) out.push({ type: "STEP_FINISHED", stepName: event.step });
        break;
      case "progress":
        this.state.progress = event.progress;
        out.push({ type: "STATE_DELTA", delta: [replace("/progress", event.progress)] });
        break;
      case "thought":
        this.state.thoughts.push(event.text);
        out.push({ type: "STATE_DELTA", delta: [{ op: "add", path: "/thoughts/-", value: event.text }] });
        break;
      case "text_delta":
        out.push(...this.text(event.messageId, event.delta, event.reset === true));
        break;
      case "message":
        out.push(...this.message(event.message));
        break;
      case "tool_call":
        // The calls themselves reach the chat as messages; the state keeps them for renderers of agent state.
        this.state.toolCalls.push(event.toolCall);
        out.push({
          type: "STATE_DELTA",
          delta: [{ op: "add", path: "/toolCalls/-", value: event.toolCall }],
        });
        break;
      case "citations":
        this.state.citations = event.citations;
        out.push({ type: "STATE_DELTA", delta: [replace("/citations", event.citations)] });
        break;
      case "validation":
        this.state.validation = event.validation;
        out.push({ type: "STATE_DELTA", delta: [replace("/validation", event.validation)] });
        break;
      case "interrupt":
        this.state.interrupt = event.interrupt;
        out.push({ type: "STATE_DELTA", delta: [replace("/interrupt", event.interrupt)] });
        out.push({ type: "CUSTOM", name: INTERRUPT_EVENT, value: event.interrupt });
        break;
      case "approval":
        // Not shown as such: the approval note message and the resumed run's events carry the outcome.
        break;
      case "run_finished":
        out.push(...this.finish(event));
        break;
      case "run_error":
        out.push(...this.closeMessage(), ...this.closeSteps());
        out.push({ type: "RUN_ERROR", message: event.message, code: event.code });
        break;
      default: {
        // Compile-time exhaustiveness; at run time (an event from a newer agent) nothing is sent.
        const unhandled: never = event;
        void unhandled;
      }
    }
    return out;
  }

  private finish(event: AgentEventOf<"run_finished">): AguiEvent[] {
    const out: AguiEvent[] = [];
    // An answer no message event carried (a custom graph) still reaches the chat as one message.
    if (!this.answered && event.answer !== "")
      out.push(...this.text(`${this.ids.runId}:answer`, event.answer, false));
    this.state.answerKind = event.answerKind;
    out.push({ type: "STATE_DELTA", delta: [replace("/answerKind", event.answerKind)] });
    out.push(...this.closeMessage(), ...this.closeSteps());
    const interrupt = this.state.interrupt;
    out.push({
      type: "RUN_FINISHED",
      threadId: this.ids.threadId,
      runId: this.ids.runId,
      result: {
        status: event.status,
        answerKind: event.answerKind,
        citations: event.citations,
        validation: event.validation,
        ...(event.usage === undefined ? {} : { usage: event.usage }),
      },
      ...(event.status === "interrupted" && interrupt && this.options.standardInterrupts
        ? { outcome: interruptOutcome(interrupt) }
        : {}),
    });
    return out;
  }

  /** Streamed text of an assistant message; `reset` replaces what it said so far (a regenerated answer). */
  private text(id: string, delta: string, reset: boolean): AguiEvent[] {
    const out: AguiEvent[] = [];
    this.answered = true;
    if (this.open !== id) out.push(...this.closeMessage());
    const existing = this.find(id);
    if (reset && existing && textContent(existing.content) !== "") {
      existing.content = "";
      out.push(this.snapshot());
    }
    if (delta === "") return out;
    if (this.open !== id) {
      out.push({ type: "TEXT_MESSAGE_START", messageId: id, role: "assistant" });
      this.open = id;
      if (!existing) this.folded.push({ id, role: "assistant", content: "" });
    }
    const target = this.find(id)!;
    target.content = `${textContent(target.content)}${delta}`;
    out.push({ type: "TEXT_MESSAGE_CONTENT", messageId: id, delta });
    return out;
  }

  /** A message the thread stored: shown if new, reconciled (snapshot) if the client's copy differs. */
  private message(m: ConversationMessage): AguiEvent[] {
    const out: AguiEvent[] = [];
    const existing = this.find(m.id);
    if (m.role === "user") {
      if (existing && textContent(existing.content) === m.content) return out;
      if (existing) existing.content = m.content;
      else this.folded.push(toAguiMessage(m));
      return [this.snapshot()];
    }
    if (m.role === "tool") {
      if (existing) {
        if (textContent(existing.content) === m.content) return out;
        existing.content = m.content;
        return [this.snapshot()];
      }
      insertToolResult(this.folded, toAguiMessage(m));
      return [
        {
          type: "TOOL_CALL_RESULT",
          messageId: m.id,
          toolCallId: m.toolCallId ?? "",
          content: m.content,
          role: "tool",
        },
      ];
    }
    this.answered = true;
    if (this.open === m.id) out.push(...this.closeMessage());
    let changed = false;
    let target = existing;
    if (!target) {
      if (m.content !== "") {
        out.push(
          { type: "TEXT_MESSAGE_START", messageId: m.id, role: "assistant" },
          { type: "TEXT_MESSAGE_CONTENT", messageId: m.id, delta: m.content },
          { type: "TEXT_MESSAGE_END", messageId: m.id },
        );
        target = { id: m.id, role: "assistant", content: m.content };
      } else {
        target = { id: m.id, role: "assistant" };
      }
      this.folded.push(target);
    } else if (textContent(target.content) !== m.content) {
      target.content = m.content;
      changed = true;
    }
    for (const call of m.toolCalls ?? []) {
      if (target.toolCalls?.some((c) => c.id === call.id)) continue;
      const args = JSON.stringify(call.args ?? {});
      out.push(
        { type: "TOOL_CALL_START", toolCallId: call.id, toolCallName: call.name, parentMessageId: m.id },
        { type: "TOOL_CALL_ARGS", toolCallId: call.id, delta: args },
        { type: "TOOL_CALL_END", toolCallId: call.id },
      );
      target.toolCalls = [...(target.toolCalls ?? []), toAguiToolCall(call)];
    }
    if (changed) out.push(this.snapshot());
    return out;
  }

  private find(id: string): AguiMessage | undefined {
    return this.folded.find((m) => m.id === id);
  }

  private snapshot(): AguiEvent {
    return { type: "MESSAGES_SNAPSHOT", messages: structuredClone(this.folded) };
  }

  private closeMessage(): AguiEvent[] {
    if (!this.open) return [];
    const id = this.open;
    this.open = null;
    return [{ type: "TEXT_MESSAGE_END", messageId: id }];
  }

  private closeSteps(): AguiEvent[] {
    const out = [...this.openSteps].map((stepName) => ({ type: "STEP_FINISHED", stepName }));
    this.openSteps.clear();
    return out;
  }
}

/** AG-UI's standard interrupt outcome for a pending approval. */
export function interruptOutcome(interrupt: {
  id: string;
  tool?: unknown;
  reason?: unknown;
  args?: unknown;
  kind?: unknown;
}) {
  return {
    type: "interrupt",
    interrupts: [
      {
        id: interrupt.id,
        reason: "approval",
        message: String(interrupt.reason ?? "Approval required."),
        metadata: { tool: interrupt.tool, args: interrupt.args, kind: interrupt.kind },
      },
    ],
  };
}

/**
 * AG-UI events for a RagKit agent's event stream (`agent.stream(...)`): host the agent in any AG-UI runtime,
 * e.g. as the `run()` of an `AbstractAgent` registered with CopilotKit's own runtime. Pass the run input's
 * `messages`, so that a message changed after it was shown is replaced in the client without losing the rest.
 */
export async function* toAguiEvents(
  events: AsyncIterable<AgentEvent>,
  ids: { threadId: string; runId: string },
  options: AguiMapperOptions = {},
): AsyncGenerator<AguiEvent> {
  const mapper = new AguiMapper(ids, options);
  for await (const event of events) yield* mapper.map(event);
}

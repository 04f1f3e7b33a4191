import type { StoredEvent } from "../runs/live-run.js";

/** An AG-UI 0.0.59 event, as plain JSON (the `@ag-ui/core` shapes; validated by the contract tests). */
export type AguiEvent = { type: string } & Record<string, unknown>;

/** The shared state CopilotKit's `useAgent`/`useCoAgent` sees for a RagKit run. */
export interface AguiState {
  step: string;
  progress: number;
  thoughts: string[];
  citations: unknown[];
  validation: unknown;
  toolCalls: unknown[];
  interrupt: unknown;
}

export const INTERRUPT_EVENT = "on_interrupt";

export function initialState(): AguiState {
  return {
    step: "start",
    progress: 0,
    thoughts: [],
    citations: [],
    validation: null,
    toolCalls: [],
    interrupt: null,
  };
}

const replace = (path: string, value: unknown) => ({ op: "replace", path, value });

/**
 * Turns a run's stored agent events into AG-UI events, keeping what the AG-UI client verifies: RUN_STARTED
 * first; text messages and steps opened and closed in pairs (all closed before RUN_FINISHED); RUN_FINISHED or
 * RUN_ERROR last. Step, progress, thoughts, citations, validation and a pending approval travel as shared
 * state (STATE_SNAPSHOT, then JSON-Patch STATE_DELTA); an approval also as CUSTOM `on_interrupt`, the event
 * CopilotKit's `useInterrupt` listens for. Unknown agent events are skipped (the union grows additively).
 */
export class AguiMapper {
  private messageId: string | null = null;
  private streamedText = false;
  private readonly openSteps = new Set<string>();
  private readonly state = initialState();
  private messageCount = 0;
  private interrupt: { id: string; tool?: unknown; reason?: unknown; args?: unknown; kind?: unknown } | null =
    null;

  constructor(
    private readonly ids: { threadId: string; runId: string },
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  map(event: StoredEvent): AguiEvent[] {
    const d = event.data;
    const out: AguiEvent[] = [];
    switch (event.type) {
      case "run_started":
        out.push({ type: "RUN_STARTED", threadId: this.ids.threadId, runId: this.ids.runId });
        out.push({ type: "STATE_SNAPSHOT", snapshot: { ...this.state } });
        break;
      case "step_started": {
        const step = String(d.step);
        if (!this.openSteps.has(step)) {
          this.openSteps.add(step);
          out.push({ type: "STEP_STARTED", stepName: step });
        }
        this.state.step = step;
        out.push({ type: "STATE_DELTA", delta: [replace("/step", step)] });
        break;
      }
      case "step_finished": {
        const step = String(d.step);
        if (this.openSteps.delete(step)) out.push({ type: "STEP_FINISHED", stepName: step });
        break;
      }
      case "progress":
        this.state.progress = Number(d.progress);
        out.push({ type: "STATE_DELTA", delta: [replace("/progress", this.state.progress)] });
        break;
      case "thought":
        this.state.thoughts.push(String(d.text));
        out.push({ type: "STATE_DELTA", delta: [{ op: "add", path: "/thoughts/-", value: String(d.text) }] });
        break;
      case "text_delta": {
        const delta = String(d.delta ?? "");
        // A regenerated answer replaces the streamed one: close the superseded message, start a new one.
        if (d.reset === true) out.push(...this.closeMessage());
        if (delta === "") break;
        out.push(...this.openMessage());
        this.streamedText = true;
        out.push({ type: "TEXT_MESSAGE_CONTENT", messageId: this.messageId, delta });
        break;
      }
      case "tool_call": {
        out.push(...this.closeMessage());
        const call = d.toolCall as { id: string; name: string; args: unknown; result: unknown };
        this.state.toolCalls.push(call);
        out.push(
          { type: "TOOL_CALL_START", toolCallId: call.id, toolCallName: call.name },
          { type: "TOOL_CALL_ARGS", toolCallId: call.id, delta: JSON.stringify(call.args ?? {}) },
          { type: "TOOL_CALL_END", toolCallId: call.id },
          {
            type: "TOOL_CALL_RESULT",
            messageId: this.newId(),
            toolCallId: call.id,
            content: JSON.stringify(call.result ?? null),
            role: "tool",
          },
          { type: "STATE_DELTA", delta: [{ op: "add", path: "/toolCalls/-", value: call }] },
        );
        break;
      }
      case "citations":
        this.state.citations = (d.citations as unknown[]) ?? [];
        out.push({ type: "STATE_DELTA", delta: [replace("/citations", this.state.citations)] });
        break;
      case "validation":
        this.state.validation = d.validation ?? null;
        out.push({ type: "STATE_DELTA", delta: [replace("/validation", this.state.validation)] });
        break;
      case "interrupt":
        this.state.interrupt = d.interrupt ?? null;
        this.interrupt = (d.interrupt as typeof this.interrupt) ?? null;
        out.push({ type: "STATE_DELTA", delta: [replace("/interrupt", this.state.interrupt)] });
        out.push({ type: "CUSTOM", name: INTERRUPT_EVENT, value: d.interrupt });
        break;
      case "run_finished": {
        const answer = String(d.answer ?? "");
        // Answers that were not streamed token by token still reach the chat as one message.
        if (!this.streamedText && answer !== "") {
          out.push(...this.openMessage());
          out.push({ type: "TEXT_MESSAGE_CONTENT", messageId: this.messageId, delta: answer });
        }
        out.push(...this.closeMessage(), ...this.closeSteps());
        out.push({
          type: "RUN_FINISHED",
          threadId: this.ids.threadId,
          runId: this.ids.runId,
          result: {
            status: d.status,
            answerKind: d.answerKind,
            citations: d.citations,
            validation: d.validation ?? null,
            ...(d.usage === undefined ? {} : { usage: d.usage }),
          },
          // AG-UI's standard interrupt outcome (CopilotKit's useInterrupt prefers it over on_interrupt).
          ...(d.status === "interrupted" && this.interrupt
            ? {
                outcome: {
                  type: "interrupt",
                  interrupts: [
                    {
                      id: this.interrupt.id,
                      reason: "approval",
                      message: String(this.interrupt.reason ?? "Approval required."),
                      metadata: {
                        tool: this.interrupt.tool,
                        args: this.interrupt.args,
                        kind: this.interrupt.kind,
                      },
                    },
                  ],
                },
              }
            : {}),
        });
        break;
      }
      case "run_error":
        out.push(...this.closeMessage(), ...this.closeSteps());
        out.push({
          type: "RUN_ERROR",
          message: String(d.message ?? "The run failed."),
          code: String(d.code ?? "internal_error"),
        });
        break;
      default:
        break;
    }
    return out;
  }

  private openMessage(): AguiEvent[] {
    if (this.messageId) return [];
    this.messageId = `${this.ids.runId}:a${++this.messageCount}`;
    return [{ type: "TEXT_MESSAGE_START", messageId: this.messageId, role: "assistant" }];
  }

  private closeMessage(): AguiEvent[] {
    if (!this.messageId) return [];
    const id = this.messageId;
    this.messageId = null;
    return [{ type: "TEXT_MESSAGE_END", messageId: id }];
  }

  private closeSteps(): AguiEvent[] {
    const out = [...this.openSteps].map((stepName) => ({ type: "STEP_FINISHED", stepName }));
    this.openSteps.clear();
    return out;
  }
}

/**
 * AG-UI events for a RagKit agent's event stream (`agent.stream(...)`): host the agent in any AG-UI runtime,
 * e.g. as the `run()` of an `AbstractAgent` registered with CopilotKit's own runtime.
 */
export async function* toAguiEvents(
  events: AsyncIterable<{ type: string }>,
  ids: { threadId: string; runId: string },
): AsyncGenerator<AguiEvent> {
  const mapper = new AguiMapper(ids);
  let seq = 0;
  for await (const event of events) {
    yield* mapper.map({ seq: ++seq, type: event.type, data: event as unknown as Record<string, unknown> });
  }
}

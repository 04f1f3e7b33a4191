import { describe, expect, it } from "vitest";
import {
  type AgentEvent,
  type AgentEventOf,
  type AgentEventType,
  agentEventSchema,
  agentEventTypes,
  type ChatEventType,
  chatEventDataSchemas,
  toChatEvent,
} from "../src/index.js";
import { agentEventSamples } from "./agent-event-fixtures.js";

/**
 * How each agent event travels on plain SSE: its SSE event type and the fields it deliberately leaves out
 * (everything else must arrive unchanged), or null with the reason it is not carried at all. A record over
 * `AgentEventType`: a new event type does not compile until it is decided here too.
 */
const plainSse: {
  [T in AgentEventType]:
    | { sse: ChatEventType; omits: Array<keyof AgentEventOf<T>> }
    | { sse: null; why: string };
} = {
  run_started: { sse: "start", omits: ["tenantId", "timestamp"] },
  step_started: { sse: "state", omits: ["runId", "threadId"] },
  step_finished: { sse: "state", omits: ["runId", "threadId"] },
  progress: { sse: "state", omits: ["runId", "threadId"] },
  thought: { sse: "thought", omits: ["runId", "threadId"] },
  text_delta: { sse: "token", omits: ["runId", "threadId", "messageId"] },
  citations: { sse: "citations", omits: ["runId", "threadId"] },
  validation: { sse: "validation", omits: ["runId", "threadId"] },
  tool_call: { sse: "tool_call", omits: ["runId", "threadId"] },
  interrupt: { sse: "interrupt", omits: ["runId", "threadId"] },
  message: { sse: null, why: "the answer streams as tokens; thread messages come from GET /threads/:id" },
  approval: { sse: null, why: "the resumed run's own events show the outcome" },
  run_finished: { sse: "done", omits: [] },
  run_error: { sse: "error", omits: ["runId", "threadId"] },
};

const samples = Object.values(agentEventSamples) as AgentEvent[];

describe("the agent event union", () => {
  it("has a sample of every event type, each a valid event as it stands", () => {
    expect(Object.keys(agentEventSamples).sort()).toEqual([...agentEventTypes].sort());
    for (const event of samples) expect(agentEventSchema.parse(event)).toEqual(event);
  });

  it("rejects what is not an agent event (so a bad stored row is caught where it is read)", () => {
    expect(agentEventSchema.safeParse({ type: "run_exploded", runId: "r", threadId: "t" }).success).toBe(
      false,
    );
    const { answer: _answer, ...noAnswer } = agentEventSamples.run_finished;
    expect(agentEventSchema.safeParse(noAnswer).success).toBe(false);
  });
});

describe("toChatEvent: agent events on plain SSE", () => {
  it.each(samples.map((e) => [e.type, e] as const))(
    "%s travels as decided, dropping no field",
    (type, event) => {
      const decision = plainSse[type];
      const mapped = toChatEvent(event);
      if (decision.sse === null) {
        expect(mapped).toBeNull();
        return;
      }
      expect(mapped?.type).toBe(decision.sse);
      const data = mapped!.data as Record<string, unknown>;
      const omitted = new Set<string>(["type", ...(decision.omits as string[])]);
      for (const [field, value] of Object.entries(event)) {
        if (!omitted.has(field)) expect(data[field], `${type}.${field}`).toEqual(value);
      }
      // Everything sent is described by the wire schema (parsing strips nothing and changes nothing).
      expect(chatEventDataSchemas[decision.sse].parse(data)).toEqual(data);
    },
  );

  it("sends `reset` only when it is true, and a step's phase", () => {
    const { reset: _reset, ...plain } = agentEventSamples.text_delta;
    expect(toChatEvent(plain)).toEqual({ type: "token", data: { delta: "Employees get" } });
    expect(toChatEvent(agentEventSamples.step_finished)?.data).toEqual({
      phase: "finished",
      step: "retrieve",
    });
    expect(toChatEvent(agentEventSamples.progress)?.data).toMatchObject({ phase: "progress" });
  });

  it("leaves out `usage` when the run reported none", () => {
    const { usage: _usage, ...offline } = agentEventSamples.run_finished;
    expect(toChatEvent(offline)?.data).not.toHaveProperty("usage");
  });

  it("sends nothing for an event type it does not know (a newer agent's), instead of throwing", () => {
    expect(toChatEvent({ type: "run_exploded" } as unknown as AgentEvent)).toBeNull();
  });
});

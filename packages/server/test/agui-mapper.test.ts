import { isDeepStrictEqual } from "node:util";
import type { AgentEvent, AgentEventOf, AgentEventType } from "@ragkit/protocol";
import { describe, expect, it } from "vitest";
import { AguiMapper } from "../src/agui/mapper.js";

// The protocol's samples: one event of every type, every optional field set (its plain-SSE test uses them too).
// Loaded at run time because they sit outside this package's rootDir; their type is the record they satisfy.
const samplesModule = new URL("../../protocol/test/agent-event-fixtures.ts", import.meta.url).href;
const { agentEventSamples } = (await import(samplesModule)) as {
  agentEventSamples: { [T in AgentEventType]: AgentEventOf<T> };
};

/**
 * Fields of each agent event that AG-UI does not carry as a value (the rest must appear, unchanged, somewhere in
 * the AG-UI events the mapper makes of it). A record over `AgentEventType`: a new event type does not compile
 * until it is decided here too.
 */
const notCarried: { [T in AgentEventType]: Array<keyof AgentEventOf<T>> } = {
  run_started: ["tenantId", "timestamp"],
  step_started: ["runId", "threadId"],
  step_finished: ["runId", "threadId"],
  progress: ["runId", "threadId", "step"],
  thought: ["runId", "threadId", "step"],
  // `reset` is not a value on the wire: it replaces what the message said so far (tested below).
  text_delta: ["runId", "threadId", "reset"],
  citations: ["runId", "threadId"],
  validation: ["runId", "threadId"],
  tool_call: ["runId", "threadId"],
  interrupt: ["runId", "threadId"],
  // Becomes TEXT_MESSAGE_* and TOOL_CALL_* events (checked below).
  message: ["runId", "threadId", "message"],
  // Shown through the approval note message and the resumed run.
  approval: ["runId", "threadId", "tool", "decision", "via"],
  run_finished: [],
  run_error: ["runId", "threadId"],
};

/** Whether `needle` occurs, deep-equal, anywhere inside `haystack`. */
function contains(haystack: unknown, needle: unknown): boolean {
  if (isDeepStrictEqual(haystack, needle)) return true;
  if (typeof haystack !== "object" || haystack === null) return false;
  return Object.values(haystack).some((v) => contains(v, needle));
}

const ids = { runId: "run-1", threadId: "thread-1" };
const samples = Object.values(agentEventSamples) as AgentEvent[];
/** What a sample needs before it (a step finishes only once it started). */
const before: Partial<Record<AgentEventType, AgentEvent[]>> = {
  step_finished: [agentEventSamples.step_started],
};

describe("AguiMapper: every agent event type", () => {
  it.each(samples.map((e) => [e.type, e] as const))("%s carries all of its fields", (type, event) => {
    const mapper = new AguiMapper(ids);
    for (const earlier of before[type] ?? []) mapper.map(earlier);
    const out = mapper.map(structuredClone(event));
    const skip = new Set<string>(["type", ...(notCarried[type] as string[])]);
    for (const [field, value] of Object.entries(event)) {
      if (!skip.has(field))
        expect(contains(out, value), `${type}.${field} in ${JSON.stringify(out)}`).toBe(true);
    }
  });

  it("shows a message event's text and tool calls", () => {
    const out = new AguiMapper(ids).map(agentEventSamples.message);
    const { message } = agentEventSamples.message;
    expect(out).toContainEqual({
      type: "TEXT_MESSAGE_CONTENT",
      messageId: message.id,
      delta: message.content,
    });
    expect(out).toContainEqual({
      type: "TOOL_CALL_START",
      toolCallId: "call-1",
      toolCallName: "query_database",
      parentMessageId: message.id,
    });
    expect(out).toContainEqual({ type: "TOOL_CALL_ARGS", toolCallId: "call-1", delta: '{"sql":"SELECT 1"}' });
  });

  it("replaces the text of a message on `reset` (a regenerated answer)", () => {
    const mapper = new AguiMapper(ids);
    const { reset: _reset, ...first } = agentEventSamples.text_delta;
    mapper.map(first);
    const out = mapper.map({ ...first, delta: "Staff get", reset: true });
    expect(out.map((e) => e.type)).toEqual(["MESSAGES_SNAPSHOT", "TEXT_MESSAGE_CONTENT"]);
    expect(mapper.messages).toEqual([{ id: first.messageId, role: "assistant", content: "Staff get" }]);
  });

  it("ends an interrupted run with the standard interrupt outcome when asked to", () => {
    const mapper = new AguiMapper(ids, { standardInterrupts: true });
    mapper.map(agentEventSamples.interrupt);
    const [finished] = mapper
      .map({ ...agentEventSamples.run_finished, status: "interrupted" })
      .filter((e) => e.type === "RUN_FINISHED");
    expect(finished?.outcome).toMatchObject({
      type: "interrupt",
      interrupts: [{ id: "interrupt-1", metadata: { tool: "query_database", args: { sql: "SELECT 1" } } }],
    });
  });
});

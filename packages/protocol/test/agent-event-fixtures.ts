import type { AgentEventOf, AgentEventType, Citation, ValidationResult } from "../src/index.js";

/*
 * One event of every agent event type, with every optional field set: a mapper that drops a field fails the
 * mapping tests (protocol's plain-SSE test, the server's AG-UI test). Typed as a record over
 * `AgentEventType`, so a new event type does not compile until it has a sample here.
 */

const ids = { runId: "run-1", threadId: "thread-1" };

const citation: Citation = {
  marker: 1,
  chunkId: "chunk-1",
  documentId: "doc-1",
  documentTitle: "Handbook",
  start: 10,
  end: 42,
  quote: "Employees get 25 days of leave.",
  pageNumber: 3,
};

const validation: ValidationResult = {
  status: "partially_supported",
  claims: [
    { sentence: "Leave is 25 days [1].", markers: [1], supported: true, overlap: 0.8 },
    { sentence: "It is paid.", markers: [], supported: false, overlap: 0, reason: "uncited" },
  ],
  issues: ["uncited claim"],
};

export const agentEventSamples: { [T in AgentEventType]: AgentEventOf<T> } = {
  run_started: { type: "run_started", ...ids, tenantId: "tenant-a", timestamp: 1_700_000_000_000 },
  step_started: { type: "step_started", ...ids, step: "retrieve" },
  step_finished: { type: "step_finished", ...ids, step: "retrieve" },
  progress: { type: "progress", ...ids, step: "rerank", progress: 0.5 },
  thought: { type: "thought", ...ids, step: "analyze", text: "Looking for the leave policy." },
  text_delta: { type: "text_delta", ...ids, messageId: "answer-1", delta: "Employees get", reset: true },
  citations: { type: "citations", ...ids, citations: [citation] },
  validation: { type: "validation", ...ids, validation },
  tool_call: {
    type: "tool_call",
    ...ids,
    toolCall: { id: "call-1", name: "query_database", args: { sql: "SELECT 1" }, result: { rowCount: 1 } },
  },
  interrupt: {
    type: "interrupt",
    ...ids,
    interrupt: {
      id: "interrupt-1",
      kind: "approval",
      tool: "query_database",
      args: { sql: "SELECT 1" },
      reason: "Runs SQL on your data.",
      messageId: "approval-1",
    },
  },
  message: {
    type: "message",
    ...ids,
    message: {
      id: "answer-1",
      role: "assistant",
      content: "Employees get 25 days [1].",
      toolCalls: [{ id: "call-1", name: "query_database", args: { sql: "SELECT 1" } }],
    },
  },
  approval: {
    type: "approval",
    ...ids,
    tool: "query_database",
    decision: { type: "approve" },
    via: "resume",
  },
  run_finished: {
    type: "run_finished",
    ...ids,
    status: "completed",
    answer: "Employees get 25 days [1].",
    citations: [citation],
    validation,
    answerKind: "generative",
    usage: {
      inputTokens: 120,
      outputTokens: 30,
      totalTokens: 150,
      calls: 1,
      byRole: [
        { role: "generate", model: "gpt-4o-mini", inputTokens: 120, outputTokens: 30, totalTokens: 150 },
      ],
    },
  },
  run_error: { type: "run_error", ...ids, code: "aborted", message: "The run was stopped." },
};

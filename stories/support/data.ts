import {
  type ChartSpec,
  type ChatCitation,
  type ChatEvent,
  type ChatInterrupt,
  type ChatValidation,
  parseChatEvent,
} from "@ragkit/protocol";
import { type AgentRunState, applyChatEvent, initialRunState, toAgentView } from "@ragkit/react";
import { fixtures } from "../mocks/replay";

/** Sample data for stories, taken from the recorded server sequences. */
const events = (name: keyof typeof fixtures.chat): ChatEvent[] =>
  fixtures.chat[name].map((f) => parseChatEvent(f)).filter((e): e is ChatEvent => e !== null);

/** The run state after the first `n` events of a recorded run (n = all: finished). */
export function runAfter(name: keyof typeof fixtures.chat, n = Number.POSITIVE_INFINITY): AgentRunState {
  return events(name).slice(0, n).reduce(applyChatEvent, initialRunState);
}

const answered = runAfter("answer");
export const answer: string = answered.answer;
export const citations: ChatCitation[] = answered.citations;
export const validation: ChatValidation = answered.validation ?? {
  status: "supported",
  claims: [],
  issues: [],
};
export const unsupported: ChatValidation = {
  status: "unsupported",
  claims: [],
  issues: ['"Business class is allowed on all flights" is not backed by any cited passage.'],
};

/** Twelve citations (the recorded ones, repeated with new markers) for the "many citations" state. */
export const manyCitations: ChatCitation[] = Array.from({ length: 12 }, (_, i) => {
  const base = citations[i % citations.length] as ChatCitation;
  return { ...base, marker: i + 1, chunkId: `${base.chunkId}-${i}` };
});

/** The agent part-way through the recorded run (retrieving, with thoughts). */
export const midRunView = toAgentView({ ...runAfter("answer", 12), citations });
export const finishedView = toAgentView(answered);
export const idleView = toAgentView({});

const chartEvents = [...events("chart"), ...events("resumed")];
const chartOf = (): ChartSpec => {
  for (const e of chartEvents) {
    if (e.type === "tool_call" && e.data.toolCall.name === "create_visualization")
      return e.data.toolCall.result as ChartSpec;
  }
  throw new Error("no chart in the recorded runs");
};
export const barChart: ChartSpec = chartOf();
export const lineChart: ChartSpec = (() => {
  const all = chartEvents.filter(
    (e): e is Extract<ChatEvent, { type: "tool_call" }> =>
      e.type === "tool_call" && e.data.toolCall.name === "create_visualization",
  );
  return (all.at(-1)?.data.toolCall.result as ChartSpec) ?? barChart;
})();
export const pieChart: ChartSpec = { ...barChart, type: "pie", title: "Share of revenue by region" };
export const areaChart: ChartSpec = {
  ...lineChart,
  type: "area",
  title: "Monthly revenue by region (stacked view)",
};
export const scatterChart: ChartSpec = {
  type: "scatter",
  title: "Units sold vs. revenue per order",
  xKey: "units",
  xLabel: "Units",
  yLabel: "Revenue",
  unit: "EUR",
  series: [{ key: "revenue", label: "Revenue" }],
  data: [
    { units: 1, revenue: 120 },
    { units: 3, revenue: 310 },
    { units: 4, revenue: 460 },
    { units: 6, revenue: 590 },
    { units: 8, revenue: 845 },
    { units: 11, revenue: 1010 },
  ],
};

export const interrupt: ChatInterrupt = (() => {
  for (const e of events("interrupted")) if (e.type === "interrupt") return e.data.interrupt;
  throw new Error("no interrupt in the recorded run");
})();

export const longAnswer = `${answer}\n\n${Array.from({ length: 6 }, (_, i) => `Paragraph ${i + 2}: ${answer.split("\n").slice(2).join(" ")}`).join("\n\n")}`;

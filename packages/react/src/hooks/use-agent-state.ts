import { useMemo } from "react";
import { type AgentView, toAgentView } from "../stream/agent-view.js";

/**
 * The agent's step, progress, thoughts, citations and found documents from a run state (`useStreamingResponse().
 * state`) or a raw shared-state object (CopilotKit's `agent.state`). Memoised on the source object.
 */
export function useAgentState(source: unknown): AgentView {
  return useMemo(() => toAgentView(source), [source]);
}

import { UseAgentUpdate, useAgent, useInterrupt, useRenderTool } from "@copilotkit/react-core/v2";
import { CHART_TOOL_NAME, type ChatApprovalDecision } from "@ragkit/protocol";
import { useMemo } from "react";
import { z } from "zod";
import { ApprovalCard, type ApprovalCardLabels } from "../components/approval-card.js";
import { DataVisualization } from "../components/data-visualization.js";
import { QueryResultTable } from "../components/query-result-table.js";
import { type AgentView, toAgentView } from "../stream/agent-view.js";
import { approvalFromInterrupt } from "./interrupt.js";

const anyArgs = z.record(z.string(), z.unknown());

/** The RagKit agent's shared state (step, progress, thoughts, citations, validation) via CopilotKit's `useAgent`. */
export function useRagAgentState(agentId?: string): AgentView & { running: boolean } {
  const { agent } = useAgent({
    ...(agentId ? { agentId } : {}),
    updates: [UseAgentUpdate.OnStateChanged, UseAgentUpdate.OnRunStatusChanged],
  });
  const state = agent.state as unknown;
  const view = useMemo(() => toAgentView(state), [state]);
  return { ...view, running: agent.isRunning };
}

function parseResult(result: string | undefined): unknown {
  if (result === undefined) return undefined;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}

/**
 * Registers the generative-UI renderers of the RagKit agent's tools: `create_visualization` → `<DataVisualization>`,
 * `query_database` → the rows as a table.
 */
export function useRagToolRenderers(options: { agentId?: string; chartHeight?: number } = {}): void {
  const { agentId, chartHeight } = options;
  useRenderTool(
    {
      name: CHART_TOOL_NAME,
      parameters: anyArgs,
      ...(agentId ? { agentId } : {}),
      render: ({ status, result }) =>
        status === "complete" ? (
          <DataVisualization spec={parseResult(result)} {...(chartHeight ? { height: chartHeight } : {})} />
        ) : (
          <p className="rk-muted" aria-live="polite">
            Drawing a chart…
          </p>
        ),
    },
    [agentId, chartHeight],
  );
  useRenderTool(
    {
      name: "query_database",
      parameters: anyArgs,
      ...(agentId ? { agentId } : {}),
      render: ({ status, parameters, result }) => (
        <QueryResultTable
          sql={typeof parameters.sql === "string" ? parameters.sql : null}
          result={status === "complete" ? parseResult(result) : undefined}
        />
      ),
    },
    [agentId],
  );
}

/**
 * Shows `<ApprovalCard>` in the chat for RagKit approvals (standard AG-UI interrupts and CUSTOM `on_interrupt`),
 * and resumes the run with the decision. After a reload the pending interrupt is replayed by the server on
 * `connect`, so the card comes back.
 */
export function useRagInterrupt(
  options: { agentId?: string; labels?: Partial<ApprovalCardLabels> } = {},
): void {
  const { agentId, labels } = options;
  useInterrupt({
    ...(agentId ? { agentId } : {}),
    enabled: (event) =>
      approvalFromInterrupt({ interrupt: event.value, event: { value: event.value } }) !== null,
    render: (props) => {
      const approval = approvalFromInterrupt(props);
      // `enabled` already filtered non-RagKit interrupts; render must still return an element.
      if (!approval) return <span hidden />;
      return (
        <ApprovalCard
          interrupt={approval}
          {...(labels ? { labels } : {})}
          onDecision={(decision: ChatApprovalDecision) =>
            props.interrupt ? props.resolve(decision, props.interrupt.id) : props.resolve(decision)
          }
        />
      );
    },
  });
}

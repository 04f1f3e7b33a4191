import type { AgentView } from "../stream/agent-view.js";
import { type RagKitTheme, ThemeScope } from "../styles/theme.js";

export interface AgentStateDisplayLabels {
  title: string;
  /** Human names for the agent's steps; unknown steps show as they are. */
  steps: Record<string, string>;
  found: (count: number) => string;
  thoughts: string;
  idle: string;
  /** Shown while a run has started but reported no step yet. */
  starting: string;
}

export const defaultAgentStateLabels: AgentStateDisplayLabels = {
  title: "Agent progress",
  steps: {
    analyze: "Understanding the question",
    route: "Understanding the question",
    rewrite: "Preparing the search",
    retrieve: "Searching your documents",
    rerank: "Picking the most relevant passages",
    grade: "Checking relevance",
    generate: "Writing the answer",
    validate: "Checking the answer against the sources",
    respond: "Writing the reply",
    query: "Looking up the data",
    query_database: "Looking up the data",
    create_visualization: "Drawing a chart",
    approve: "Waiting for your approval",
    approval: "Waiting for your approval",
    done: "Done",
  },
  found: (n) => `Found ${n} relevant document${n === 1 ? "" : "s"}`,
  thoughts: "Thoughts",
  idle: "Waiting for a question…",
  starting: "Getting started…",
};

/** A step the labels do not name reads as words ("fetch_orders" → "Fetch orders"), never as an identifier. */
export function stepLabel(step: string, labels: AgentStateDisplayLabels): string {
  const known = labels.steps[step];
  if (known) return known;
  const words = step.replace(/[_-]+/g, " ").trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : labels.starting;
}

export interface AgentStateDisplayProps {
  /** From `useAgentState(…)` (plain SSE) or `useRagAgentState()` (CopilotKit). */
  state: AgentView;
  labels?: Partial<AgentStateDisplayLabels>;
  /** Hide the thoughts list (shown collapsed by default). */
  showThoughts?: boolean;
  /** How many found documents to preview. Default 3. */
  maxDocuments?: number;
  theme?: RagKitTheme;
  /** A run is in progress: without a step yet it reads "Getting started…", not the idle text. */
  running?: boolean;
}

/** The agent at work: current step, a progress bar, its thoughts and the documents it found. */
export function AgentStateDisplay(props: AgentStateDisplayProps) {
  const { state, showThoughts = true, maxDocuments = 3 } = props;
  const labels = { ...defaultAgentStateLabels, ...props.labels };
  const percent = Math.round(Math.min(1, Math.max(0, state.progress)) * 100);
  const current = state.step ? stepLabel(state.step, labels) : props.running ? labels.starting : labels.idle;
  return (
    <ThemeScope theme={props.theme}>
      <section className="rk-card" aria-label={labels.title}>
        {/* Polite live region: screen readers hear step changes without being interrupted mid-sentence. */}
        <p className="rk-title" aria-live="polite">
          {current}
        </p>
        <div
          className="rk-progress"
          role="progressbar"
          aria-label={labels.title}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <span style={{ width: `${percent}%` }} />
        </div>
        {state.documents.length > 0 ? (
          <div>
            <p className="rk-muted" style={{ margin: "8px 0 0" }}>
              {labels.found(state.documents.length)}
            </p>
            <ul className="rk-docs">
              {state.documents.slice(0, maxDocuments).map((d) => (
                <li key={d.documentId}>
                  <strong>{d.title ?? d.documentId}</strong>
                  {d.pageNumber !== null ? <span className="rk-muted"> · p. {d.pageNumber}</span> : null}
                  <div className="rk-muted">{d.preview}</div>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {showThoughts && state.thoughts.length > 0 ? (
          <details>
            <summary className="rk-muted">
              {labels.thoughts} ({state.thoughts.length})
            </summary>
            <ol className="rk-thoughts">
              {state.thoughts.map((t, i) => (
                // Thoughts are append-only, so the index is a stable key.
                // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
                <li key={i}>{t}</li>
              ))}
            </ol>
          </details>
        ) : null}
      </section>
    </ThemeScope>
  );
}

import { type ReactCustomMessageRenderer, UseAgentUpdate, useAgent } from "@copilotkit/react-core/v2";
import { type ComponentProps, createContext, type ReactElement, useContext, useEffect, useRef } from "react";
import { AgentStateDisplay, type AgentStateDisplayLabels } from "../components/agent-state-display.js";
import { type CitationLabels, Citations } from "../components/citations.js";
import { toAgentView } from "../stream/agent-view.js";
import { useRagAgentState } from "./hooks.js";

/** What a `<RagChat>` asks of the pieces CopilotKit renders inside its message list. */
export interface AnswerExtras {
  show: boolean;
  agentId?: string | undefined;
  citations?: Partial<CitationLabels> | undefined;
  agentState?: Partial<AgentStateDisplayLabels> | undefined;
  /** The server's message for the last refused or failed run, until the next run starts. */
  runError?: string | null | undefined;
  errorTitle?: string | undefined;
}

export const AnswerExtrasContext = createContext<AnswerExtras>({ show: true });

type CustomMessageProps = ComponentProps<NonNullable<ReactCustomMessageRenderer["render"]>>;

/**
 * The sources and validation of one answer, under that answer. CopilotKit keeps the agent's state per run, so
 * every answer shows the citations of its own run, not the latest run's.
 */
export function AnswerSources(props: CustomMessageProps) {
  const extras = useContext(AnswerExtrasContext);
  const { message, position } = props;
  if (!extras.show || position !== "after" || message.role !== "assistant") return null;
  if (typeof message.content !== "string" || message.content === "") return null;
  if (props.messageIndexInRun !== props.numberOfMessagesInRun - 1) return null;
  const view = toAgentView(props.stateSnapshot);
  if (view.citations.length === 0 && !view.validation) return null;
  return (
    <Citations
      citations={view.citations}
      validation={view.validation}
      answerKind={view.answerKind}
      {...(extras.citations ? { labels: extras.citations } : {})}
    />
  );
}

/**
 * CopilotKit's "the agent is working" cursor, replaced by the agent's progress: it sits where the answer is being
 * written and goes away when the run ends, leaving the answer and its sources.
 */
export function ProgressCursor() {
  const extras = useContext(AnswerExtrasContext);
  const view = useRagAgentState(extras.agentId);
  if (!extras.show) return <span className="rk-muted">…</span>;
  return (
    <AgentStateDisplay state={view} running {...(extras.agentState ? { labels: extras.agentState } : {})} />
  );
}

/** Sets a React-controlled textarea's value the way typing does, so the component's own state follows. */
function refill(textarea: HTMLTextAreaElement, text: string): void {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")?.set;
  setter?.call(textarea, text);
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

/**
 * The server's reason when it refused or failed a run (e.g. "The message is 40000 bytes; the limit is 32768
 * bytes."), shown in the conversation. CopilotKit empties the composer on send; the refused text goes back into
 * it (unless the user already typed something new) so nothing is lost.
 */
export function RunErrorNote() {
  const extras = useContext(AnswerExtrasContext);
  const { agent } = useAgent({
    ...(extras.agentId ? { agentId: extras.agentId } : {}),
    updates: [UseAgentUpdate.OnMessagesChanged],
  });
  const ref = useRef<HTMLDivElement>(null);
  const error = extras.runError;
  useEffect(() => {
    if (!error) return;
    const last = [...agent.messages].reverse().find((m) => m.role === "user");
    const textarea = ref.current
      ?.closest("[data-testid=copilot-chat]")
      ?.querySelector<HTMLTextAreaElement>("[data-testid=copilot-chat-textarea]");
    if (textarea && textarea.value === "" && typeof last?.content === "string")
      refill(textarea, last.content);
  }, [error, agent]);
  if (!error) return null;
  return (
    <div ref={ref} className="rk-card rk-error" role="alert">
      <strong>{extras.errorTitle ?? "The message was not answered"}</strong>
      <div>{error}</div>
    </div>
  );
}

/**
 * The message list: CopilotKit's messages and approval, then the agent's progress while it runs (where the
 * answer is being written; it goes away when the answer is done) and a refused run's error.
 */
export function renderMessageList(
  attrs: Record<string, string>,
): (props: {
  messageElements: ReactElement[];
  interruptElement: ReactElement | null;
  isRunning: boolean;
}) => ReactElement {
  return ({ messageElements, interruptElement, isRunning }) => (
    <div
      data-copilotkit=""
      data-testid="copilot-message-list"
      className="copilotKitMessages rk-messages"
      {...attrs}
    >
      {messageElements}
      {interruptElement}
      {isRunning ? <ProgressCursor /> : null}
      <RunErrorNote />
    </div>
  );
}

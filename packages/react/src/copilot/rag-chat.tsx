import {
  CopilotChat,
  type CopilotChatAssistantMessage,
  type CopilotChatLabels,
  CopilotPopup,
  CopilotSidebar,
  UseAgentUpdate,
  useAgent,
  useConfigureSuggestions,
} from "@copilotkit/react-core/v2";
import { type CSSProperties, useEffect, useRef, useState } from "react";
import type { AgentStateDisplayLabels } from "../components/agent-state-display.js";
import type { ApprovalCardLabels } from "../components/approval-card.js";
import type { CitationLabels } from "../components/citations.js";
import { useRagKitContext } from "../context.js";
import { useThreads } from "../hooks/use-threads.js";
import { type RagKitTheme, ThemeScope } from "../styles/theme.js";
import { AnswerExtrasContext, renderMessageList } from "./answer-extras.js";
import { useRagInterrupt, useRagToolRenderers } from "./hooks.js";
import { AssistantWithMarkers } from "./inline-markers.js";
import { ThreadBar, type ThreadBarLabels } from "./thread-bar.js";

export interface RagChatLabels extends Partial<CopilotChatLabels> {
  newThread?: string;
  threadPicker?: string;
  /** Accessible name of the message log. */
  conversation?: string;
  untitledThread?: string;
  /** Title of the note that shows a refused run's reason. */
  runError?: string;
  /** Rename / delete controls of the thread picker. */
  threads?: Partial<ThreadBarLabels>;
  agentState?: Partial<AgentStateDisplayLabels>;
  citations?: Partial<CitationLabels>;
  approval?: Partial<ApprovalCardLabels>;
}

export interface RagChatSuggestion {
  /** Not shown: the chip shows the question itself, so people see what they will ask. */
  title?: string;
  message: string;
}

export interface RagChatProps {
  /** Default: the provider's agent ("ragkit"). */
  agentId?: string;
  /** Controlled thread; otherwise the widget picks (and remembers) one. */
  threadId?: string;
  /** `localStorage` key for restore-on-reload; `null` disables. Default "ragkit:thread". */
  storageKey?: string | null;
  /** Show a thread picker ("new conversation" + past threads). Default true. */
  showThreads?: boolean;
  welcomeText?: string;
  suggestions?: RagChatSuggestion[];
  labels?: RagChatLabels;
  theme?: RagKitTheme;
  /** Show the agent's progress where the answer is being written, and each answer's sources under it. Default true. */
  showAgentState?: boolean;
  className?: string;
  style?: CSSProperties;
}

type Variant = "inline" | "sidebar" | "popup";

function splitLabels(
  labels: RagChatLabels | undefined,
  welcomeText: string | undefined,
): Partial<CopilotChatLabels> {
  const {
    newThread: _n,
    threadPicker: _t,
    untitledThread: _u,
    threads: _th,
    runError: _re,
    conversation: _cv,
    agentState: _a,
    citations: _c,
    approval: _p,
    ...chat
  } = labels ?? {};
  return { ...(welcomeText ? { welcomeMessageText: welcomeText } : {}), ...chat };
}

/** Thread selection: controlled, or remembered in storage and restored after a reload. */
function useChatThread(props: RagChatProps) {
  const { client } = useRagKitContext();
  if (!client) throw new Error("RagChat: render it inside <RagKitProvider>.");
  const threads = useThreads({
    client,
    storageKey: props.storageKey === undefined ? "ragkit:thread" : props.storageKey,
    enabled: props.showThreads !== false && props.threadId === undefined,
    // After mount only (the server render has no storage): a new conversation when none was restored.
    autoStart: props.threadId === undefined,
  });
  return { threads, threadId: props.threadId ?? threads.selectedId ?? undefined };
}

/**
 * CopilotKit shows its welcome screen only for chats without an explicit thread id, and this widget always has one
 * (to restore it after a reload), so the welcome text is rendered here while the thread is empty.
 */
function Welcome({ agentId, text }: { agentId?: string | undefined; text: string | undefined }) {
  const { agent } = useAgent({
    ...(agentId ? { agentId } : {}),
    updates: [UseAgentUpdate.OnMessagesChanged, UseAgentUpdate.OnRunStatusChanged],
  });
  if (!text || agent.messages.length > 0 || agent.isRunning) return null;
  return (
    <p className="rk-welcome" role="note">
      {text}
    </p>
  );
}

function errorMessageOf(event: unknown): string {
  const error = (event as { error?: unknown } | null)?.error;
  return error instanceof Error && error.message ? error.message : "The run failed.";
}

/**
 * Run starts clear the last error; run ends refresh the thread list (a new conversation gets its title, the
 * current one moves up).
 */
function RunWatch(props: {
  agentId?: string | undefined;
  onStart: () => void;
  onEnd?: (() => Promise<void>) | undefined;
}) {
  const { agent } = useAgent({
    ...(props.agentId ? { agentId: props.agentId } : {}),
    updates: [UseAgentUpdate.OnRunStatusChanged],
  });
  const wasRunning = useRef(false);
  const latest = useRef(props);
  latest.current = props;
  useEffect(() => {
    if (!wasRunning.current && agent.isRunning) latest.current.onStart();
    if (wasRunning.current && !agent.isRunning) void latest.current.onEnd?.();
    wasRunning.current = agent.isRunning;
  }, [agent.isRunning]);
  return null;
}

/** Registers the generative UI (charts, query tables, approvals) and the suggestions. */
function RagGenerativeUi(props: {
  agentId?: string | undefined;
  suggestions?: RagChatSuggestion[] | undefined;
  labels?: RagChatLabels | undefined;
}) {
  useRagToolRenderers(props.agentId ? { agentId: props.agentId } : {});
  useRagInterrupt({
    ...(props.agentId ? { agentId: props.agentId } : {}),
    ...(props.labels?.approval ? { labels: props.labels.approval } : {}),
  });
  const key = JSON.stringify(props.suggestions ?? []);
  useConfigureSuggestions(
    props.suggestions && props.suggestions.length > 0
      ? {
          suggestions: props.suggestions.map((s) => ({ title: s.message, message: s.message })),
          available: "before-first-message",
        }
      : null,
    [key],
  );
  return null;
}

function RagChatBase(props: RagChatProps & { variant: Variant }) {
  const { variant, agentId, labels, showAgentState = true } = props;
  const { threads, threadId } = useChatThread(props);
  const [runError, setRunError] = useState<string | null>(null);
  const chatLabels = splitLabels(labels, props.welcomeText);
  const common = {
    ...(agentId ? { agentId } : {}),
    ...(threadId ? { threadId } : {}),
    labels: chatLabels,
    // The message list is a log: screen readers hear streamed answers politely, without losing their place.
    messageView: {
      // `[n]` in the answer text opens the cited passage (as in the sources list under it).
      // (Cast: CopilotKit's slot type asks for the component's static members, which a wrapper need not have.)
      assistantMessage: AssistantWithMarkers as unknown as typeof CopilotChatAssistantMessage,
      children: renderMessageList({
        role: "log",
        "aria-live": "polite",
        "aria-relevant": "additions text",
        "aria-label": labels?.conversation ?? "Conversation",
      }),
    },
    // A refused or failed run (message too large, rate limit, server error) shows its reason in the conversation.
    // (Typed loosely: CopilotChat's own `onError` and the DOM's share the name.)
    onError: (event: unknown) => setRunError(errorMessageOf(event)),
  };
  const extras = {
    show: showAgentState,
    agentId,
    citations: labels?.citations,
    agentState: labels?.agentState,
    runError,
    ...(labels?.runError ? { errorTitle: labels.runError } : {}),
  };
  // The chat mounts once its thread is known (restored or new, right after mount): mounting it without one and
  // remounting with it would drop what the user typed in between. The server render shows the frame only.
  const picker =
    props.showThreads !== false && props.threadId === undefined ? (
      <ThreadBar
        threads={threads}
        labels={{
          ...(labels?.threadPicker ? { threadPicker: labels.threadPicker } : {}),
          ...(labels?.newThread ? { newThread: labels.newThread } : {}),
          ...(labels?.untitledThread ? { untitledThread: labels.untitledThread } : {}),
          ...labels?.threads,
        }}
      />
    ) : null;
  return (
    <ThemeScope theme={props.theme} className={props.className} style={props.style}>
      <AnswerExtrasContext.Provider value={extras}>
        <RagGenerativeUi agentId={agentId} suggestions={props.suggestions} labels={labels} />
        <RunWatch
          agentId={agentId}
          onStart={() => setRunError(null)}
          onEnd={picker ? threads.reload : undefined}
        />
        {variant === "inline" ? (
          <div className="rk-chat">
            {picker}
            <Welcome agentId={agentId} text={props.welcomeText} />
            {/* key: a different thread is a different conversation; remount so CopilotChat connects to it. */}
            <div className="rk-chat-body" aria-busy={threadId ? undefined : true}>
              {threadId ? <CopilotChat key={threadId} {...common} /> : null}
            </div>
          </div>
        ) : variant === "sidebar" ? (
          <>
            {picker}
            <Welcome agentId={agentId} text={props.welcomeText} />
            {threadId ? <CopilotSidebar key={threadId} {...common} /> : null}
          </>
        ) : threadId ? (
          <CopilotPopup key={threadId} {...common} />
        ) : null}
      </AnswerExtrasContext.Provider>
    </ThemeScope>
  );
}

/** The chat inline in the page (fills its container's height). */
export function RagChat(props: RagChatProps) {
  return <RagChatBase {...props} variant="inline" />;
}

/** The chat in a sidebar with a toggle button. */
export function RagSidebar(props: RagChatProps) {
  return <RagChatBase {...props} variant="sidebar" />;
}

/** The chat in a floating popup with a launcher button. */
export function RagPopup(props: RagChatProps) {
  return <RagChatBase {...props} variant="popup" />;
}

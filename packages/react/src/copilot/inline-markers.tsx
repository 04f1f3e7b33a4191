import {
  CopilotChatAssistantMessage,
  useCopilotChatConfiguration,
  useCopilotKit,
} from "@copilotkit/react-core/v2";
import type { ChatCitation } from "@ragkit/protocol";
import {
  Children,
  type ComponentProps,
  createContext,
  createElement,
  type ReactNode,
  useContext,
} from "react";
import { splitMarkers } from "../components/citations.js";
import { toAgentView } from "../stream/agent-view.js";
import { AnswerExtrasContext } from "./answer-extras.js";

/** The citations of the answer being rendered (from its own run's state). */
const MessageCitations = createContext<ReadonlyMap<number, ChatCitation>>(new Map());

/** `[n]` in the text runs of an element → interactive markers when the answer cites passage n. */
function withMarkers(children: ReactNode, byMarker: ReadonlyMap<number, ChatCitation>): ReactNode {
  if (byMarker.size === 0) return children;
  return Children.map(children, (child) =>
    typeof child === "string" ? splitMarkers(child, byMarker) : child,
  );
}

type TextElementProps = { children?: ReactNode; node?: unknown };

/** A markdown element whose text may hold markers; `node` is the renderer's AST node, not a DOM attribute. */
function TextWithMarkers({ tag, children, node: _node, ...rest }: TextElementProps & { tag: string }) {
  const byMarker = useContext(MessageCitations);
  return createElement(tag, rest, withMarkers(children, byMarker));
}

const P = (props: TextElementProps) => <TextWithMarkers tag="p" {...props} />;
const Li = (props: TextElementProps) => <TextWithMarkers tag="li" {...props} />;
const Td = (props: TextElementProps) => <TextWithMarkers tag="td" {...props} />;
const Strong = (props: TextElementProps) => <TextWithMarkers tag="strong" {...props} />;
const Em = (props: TextElementProps) => <TextWithMarkers tag="em" {...props} />;
/** Paragraphs, list items, table cells and emphasis: where an answer's text (and its markers) lands. */
const components = { p: P, li: Li, td: Td, strong: Strong, em: Em };

type AssistantProps = ComponentProps<typeof CopilotChatAssistantMessage>;

/**
 * CopilotKit's assistant message with the answer's `[n]` markers clickable in the text itself (through the
 * markdown renderer's element overrides), each opening the cited passage like the sources list does.
 */
export function AssistantWithMarkers(props: AssistantProps) {
  const extras = useContext(AnswerExtrasContext);
  const { copilotkit } = useCopilotKit();
  const config = useCopilotChatConfiguration();
  const agentId = config?.agentId ?? extras.agentId ?? "ragkit";
  const threadId = config?.threadId;
  const runId = threadId ? copilotkit.getRunIdForMessage(agentId, threadId, props.message.id) : undefined;
  const state = threadId && runId ? copilotkit.getStateByRun(agentId, threadId, runId) : undefined;
  const citations = toAgentView(state).citations;
  const byMarker = new Map(citations.map((c) => [c.marker, c]));
  return (
    <MessageCitations.Provider value={byMarker}>
      <CopilotChatAssistantMessage {...props} markdownRenderer={{ components }} />
    </MessageCitations.Provider>
  );
}

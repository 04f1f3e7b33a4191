// CopilotKit v1 as its docs show it: <CopilotKit> + <CopilotChat> from @copilotkit/react-ui, a frontend action
// (useCopilotAction) and readable state (useCopilotReadable). No RagKit package, no interrupt handler.
import { CopilotKit, useCopilotAction, useCopilotReadable } from "@copilotkit/react-core";
import { CopilotChat } from "@copilotkit/react-ui";
import "@copilotkit/react-ui/styles.css";
import {
  ChatArea,
  HIGHLIGHT_TOOL,
  mountHostPage,
  PAGE_CONTEXT,
  runtimeUrl,
  threadId,
  useHighlight,
} from "./session.js";

function PageTools() {
  const highlight = useHighlight();
  useCopilotReadable({ description: "Current page", value: PAGE_CONTEXT });
  useCopilotAction({
    ...HIGHLIGHT_TOOL,
    parameters: [{ name: "phrase", type: "string", description: "The phrase to highlight", required: true }],
    handler: ({ phrase }) => highlight.apply(phrase),
  });
  return highlight.element;
}

mountHostPage((token) => (
  <CopilotKit
    runtimeUrl={runtimeUrl}
    headers={{ authorization: `Bearer ${token}` }}
    agent="ragkit"
    threadId={threadId}
    showDevConsole={false}
    enableInspector={false}
  >
    <PageTools />
    <ChatArea>
      <CopilotChat labels={{ initial: "Ask the handbook." }} />
    </ChatArea>
  </CopilotKit>
));

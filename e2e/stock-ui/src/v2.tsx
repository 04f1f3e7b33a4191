// CopilotKit v2 as its docs show it: <CopilotKitProvider> + the v2 <CopilotChat>, a frontend tool
// (useFrontendTool) and agent context (useAgentContext). No RagKit package, no interrupt handler.
import { CopilotChat, CopilotKitProvider, useAgentContext, useFrontendTool } from "@copilotkit/react-core/v2";
import "@copilotkit/react-core/v2/styles.css";
import { z } from "zod";
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
  useAgentContext({ description: "Current page", value: PAGE_CONTEXT });
  useFrontendTool({
    ...HIGHLIGHT_TOOL,
    parameters: z.object({ phrase: z.string().describe("The phrase to highlight") }),
    handler: ({ phrase }) => highlight.apply(phrase),
  });
  return highlight.element;
}

mountHostPage((token) => (
  <CopilotKitProvider
    runtimeUrl={runtimeUrl}
    headers={{ authorization: `Bearer ${token}` }}
    enableInspector={false}
  >
    <PageTools />
    <ChatArea>
      <CopilotChat agentId="ragkit" threadId={threadId} />
    </ChatArea>
  </CopilotKitProvider>
));

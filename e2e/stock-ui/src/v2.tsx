// CopilotKit v2 as its docs show it: <CopilotKitProvider> + the v2 <CopilotChat>, a frontend tool
// (useFrontendTool) and agent context (useAgentContext). No RagKit package, no interrupt handler.
import { CopilotChat, CopilotKitProvider, useAgentContext, useFrontendTool } from "@copilotkit/react-core/v2";
import "@copilotkit/react-core/v2/styles.css";
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { z } from "zod";
import { demoToken, PAGE_CONTEXT, runtimeUrl, threadId } from "./session.js";

function PageTools() {
  const [highlight, setHighlight] = useState("");
  useAgentContext({ description: "Current page", value: PAGE_CONTEXT });
  useFrontendTool({
    name: "highlight_text",
    description: "Highlights a phrase on the page the user is reading.",
    parameters: z.object({ phrase: z.string().describe("The phrase to highlight") }),
    handler: async ({ phrase }) => {
      setHighlight(phrase);
      return `Highlighted "${phrase}" on the page.`;
    },
  });
  return <output data-testid="highlight">{highlight}</output>;
}

function App() {
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    demoToken().then(setToken, (e: Error) => console.error(e.message));
  }, []);
  if (!token) return <p>Signing in…</p>;
  return (
    <CopilotKitProvider
      runtimeUrl={runtimeUrl}
      headers={{ authorization: `Bearer ${token}` }}
      enableInspector={false}
    >
      <PageTools />
      <div style={{ height: "90vh" }} data-testid="chat">
        <CopilotChat agentId="ragkit" threadId={threadId} />
      </div>
    </CopilotKitProvider>
  );
}

createRoot(document.getElementById("root")!).render(<App />);

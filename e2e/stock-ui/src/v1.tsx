// CopilotKit v1 as its docs show it: <CopilotKit> + <CopilotChat> from @copilotkit/react-ui, a frontend action
// (useCopilotAction) and readable state (useCopilotReadable). No RagKit package, no interrupt handler.
import { CopilotKit, useCopilotAction, useCopilotReadable } from "@copilotkit/react-core";
import { CopilotChat } from "@copilotkit/react-ui";
import "@copilotkit/react-ui/styles.css";
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { demoToken, PAGE_CONTEXT, runtimeUrl, threadId } from "./session.js";

function PageTools() {
  const [highlight, setHighlight] = useState("");
  useCopilotReadable({ description: "Current page", value: PAGE_CONTEXT });
  useCopilotAction({
    name: "highlight_text",
    description: "Highlights a phrase on the page the user is reading.",
    parameters: [{ name: "phrase", type: "string", description: "The phrase to highlight", required: true }],
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
    <CopilotKit
      runtimeUrl={runtimeUrl}
      headers={{ authorization: `Bearer ${token}` }}
      agent="ragkit"
      threadId={threadId}
      showDevConsole={false}
      enableInspector={false}
    >
      <PageTools />
      <div style={{ height: "90vh" }} data-testid="chat">
        <CopilotChat labels={{ initial: "Ask the handbook." }} />
      </div>
    </CopilotKit>
  );
}

createRoot(document.getElementById("root")!).render(<App />);

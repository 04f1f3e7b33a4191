import { type ReactElement, type ReactNode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";

/**
 * What the host page is told in its URL: the API origin (another origin than this page), the thread to open
 * and the demo tenant to sign in as. The token comes from the demo server, like any host's auth would give one.
 */
const params = new URLSearchParams(location.search);
export const threadId = params.get("thread") ?? crypto.randomUUID();
export const runtimeUrl = `${params.get("api") ?? ""}/api/copilotkit`;

/** The demo tenant's token, or null while signing in. */
export function useDemoToken(): string | null {
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    fetch(`${params.get("api") ?? ""}/demo/token?tenant=${params.get("tenant") ?? "acme"}&user=stock-ui`)
      .then((res) => {
        if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
        return res.json() as Promise<{ token: string }>;
      })
      .then(
        (body) => setToken(body.token),
        (e: Error) => console.error(e.message),
      );
  }, []);
  return token;
}

/** What the page tells the agent about itself (CopilotKit readable context / agent context). */
export const PAGE_CONTEXT = "The user is reading the employee handbook overview page.";

/** The page's frontend tool: what the agent may call, and the element it changes. */
export const HIGHLIGHT_TOOL = {
  name: "highlight_text",
  description: "Highlights a phrase on the page the user is reading.",
} as const;

export function useHighlight(): { element: ReactElement; apply: (phrase: string) => Promise<string> } {
  const [highlight, setHighlight] = useState("");
  return {
    element: <output data-testid="highlight">{highlight}</output>,
    apply: async (phrase) => {
      setHighlight(phrase);
      return `Highlighted "${phrase}" on the page.`;
    },
  };
}

/** Renders the page once signed in: `chat(token)` is the CopilotKit provider with the page's tools and chat. */
export function mountHostPage(chat: (token: string) => ReactElement): void {
  function Page() {
    const token = useDemoToken();
    return token ? chat(token) : <p>Signing in…</p>;
  }
  createRoot(document.getElementById("root")!).render(<Page />);
}

export function ChatArea({ children }: { children: ReactNode }) {
  return (
    <div style={{ height: "90vh" }} data-testid="chat">
      {children}
    </div>
  );
}

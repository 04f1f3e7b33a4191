import {
  DocumentList,
  DocumentUpload,
  RagChat,
  RagKitProvider,
  useDocuments,
  useRagKitContext,
} from "@ragkit/react";
import { useEffect, useState } from "react";
import { apiOrigin, type DemoTenant, loadSession, type Session, signIn } from "./session.js";

const TENANTS: DemoTenant[] = ["acme", "globex"];

const SUGGESTIONS: Record<DemoTenant, Array<{ title: string; message: string }>> = {
  acme: [
    { title: "Leave", message: "How many days of paid leave do employees get?" },
    { title: "Chart", message: "Chart monthly sales by region" },
    { title: "Data", message: "What was the total revenue per region?" },
  ],
  globex: [
    { title: "Warranty", message: "What does the Hyperion warranty cover?" },
    { title: "Chart", message: "Chart monthly sales by region" },
    { title: "Release", message: "What changed in firmware 4.2?" },
  ],
};

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!session) signIn("acme").then(setSession, (e: Error) => setError(e.message));
  }, [session]);

  const switchTo = (tenant: DemoTenant) => {
    setError(null);
    signIn(tenant).then(setSession, (e: Error) => setError(e.message));
  };

  return (
    <div className="demo">
      <header className="demo-header">
        <strong>RagKit demo</strong>
        <fieldset className="demo-tenants" aria-label="Signed in as">
          {TENANTS.map((t) => (
            <button
              key={t}
              type="button"
              aria-pressed={session?.tenant === t}
              data-testid={`tenant-${t}`}
              onClick={() => switchTo(t)}
            >
              {t}
            </button>
          ))}
        </fieldset>
        <span className="demo-signed-in" data-testid="signed-in">
          {session ? `Signed in to ${session.name}` : "Signing in…"}
        </span>
      </header>
      {error ? <p role="alert">{error}</p> : null}
      {session ? (
        // A new provider per tenant: nothing (threads, caches) carries over from the other tenant.
        // theme="auto": the widget follows the system's light or dark preference, like this page.
        <RagKitProvider
          key={session.tenant}
          baseUrl={`${apiOrigin}/api`}
          getToken={() => session.token}
          theme="auto"
        >
          <main className="demo-main">
            <section className="demo-chat" aria-label="Chat">
              <RagChat
                storageKey={`ragkit-demo:thread:${session.tenant}`}
                welcomeText={`Ask ${session.name}'s documents or sales data.`}
                suggestions={SUGGESTIONS[session.tenant]}
              />
            </section>
            <aside className="demo-docs" aria-label="Documents">
              <Documents />
            </aside>
          </main>
        </RagKitProvider>
      ) : null}
      <style>{css}</style>
    </div>
  );
}

function Documents() {
  const { client } = useRagKitContext();
  const documents = useDocuments({ client: client! });
  return (
    <>
      {/* DocumentList titles the panel ("Documents"); a second heading here would repeat it. */}
      <DocumentUpload accept=".pdf,.docx,.md,.txt,.html" onDone={() => void documents.reload()} />
      <DocumentList documents={documents} />
    </>
  );
}

const css = `
  :root { color-scheme: light dark; --demo-bg: #f6f7f9; --demo-fg: #1b1f24; --demo-panel: #fff; --demo-line: #dde1e6; }
  @media (prefers-color-scheme: dark) { :root { --demo-bg: #0f0f13; --demo-fg: #ececf1; --demo-panel: #16161a; --demo-line: #3a3a46; } }
  body { margin: 0; font-family: system-ui, sans-serif; background: var(--demo-bg); color: var(--demo-fg); }
  .demo { min-width: 0; }
  .demo-header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 10px 20px; background: var(--demo-panel); border-bottom: 1px solid var(--demo-line); }
  .demo-tenants { border: 0; padding: 0; margin: 0; display: flex; gap: 6px; }
  .demo-tenants button { min-height: 32px; padding: 4px 12px; border: 1px solid #8a94a3; border-radius: 16px; background: var(--demo-panel); color: inherit; cursor: pointer; }
  .demo-tenants button[aria-pressed="true"] { background: #1f4fd1; color: #fff; border-color: #1f4fd1; }
  .demo-main { display: grid; grid-template-columns: minmax(0, 2fr) minmax(280px, 1fr); gap: 16px; padding: 16px 20px; height: calc(100dvh - 56px); box-sizing: border-box; }
  .demo-chat { min-height: 0; min-width: 0; display: flex; flex-direction: column; }
  .demo-chat > .rk-root { flex: 1; min-height: 0; }
  .demo-docs { min-width: 0; overflow: auto; background: var(--demo-panel); border: 1px solid var(--demo-line); border-radius: 8px; padding: 12px; }
  /* Narrow screens: the chat keeps a fixed height (its messages scroll, the composer stays in view), documents follow. */
  @media (max-width: 800px) {
    .demo-main { grid-template-columns: minmax(0, 1fr); height: auto; padding: 8px; gap: 8px; }
    .demo-chat { height: calc(100dvh - 96px); min-height: 420px; }
    .demo-header { padding: 8px; }
  }
`;

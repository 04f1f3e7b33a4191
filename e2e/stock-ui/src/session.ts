/**
 * What the host page is told in its URL: the API origin (another origin than this page), the thread to open
 * and the demo tenant to sign in as. The token comes from the demo server, like any host's auth would give one.
 */
const params = new URLSearchParams(location.search);
export const api = params.get("api") ?? "";
export const threadId = params.get("thread") ?? crypto.randomUUID();
export const runtimeUrl = `${api}/api/copilotkit`;

export async function demoToken(): Promise<string> {
  const res = await fetch(`${api}/demo/token?tenant=${params.get("tenant") ?? "acme"}&user=stock-ui`);
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** What the page tells the agent about itself (CopilotKit readable context / agent context). */
export const PAGE_CONTEXT = "The user is reading the employee handbook overview page.";

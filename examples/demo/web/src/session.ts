/** The demo's sign-in: a JWT minted by the demo server for one of its two tenants, kept in sessionStorage. */
export type DemoTenant = "acme" | "globex";

export interface Session {
  tenant: DemoTenant;
  name: string;
  token: string;
}

const KEY = "ragkit-demo:session";

/**
 * Where the API lives: this page's origin by default; another origin when the demo server serves the app
 * separately (`<meta name="ragkit-api">`) or a Vite dev server is started with VITE_RAGKIT_API_URL.
 */
export const apiOrigin: string =
  document.querySelector<HTMLMetaElement>('meta[name="ragkit-api"]')?.content ||
  (import.meta.env.VITE_RAGKIT_API_URL as string | undefined) ||
  "";

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export async function signIn(tenant: DemoTenant): Promise<Session> {
  const res = await fetch(`${apiOrigin}/demo/token?tenant=${tenant}&user=demo-${tenant}`);
  if (!res.ok) throw new Error(`Sign-in failed (${res.status}).`);
  const body = (await res.json()) as { token: string; name: string };
  const session = { tenant, name: body.name, token: body.token };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

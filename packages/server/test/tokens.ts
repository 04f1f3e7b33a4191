import { type JWTPayload, SignJWT } from "jose";

export const TEST_SECRET = "a-test-secret-that-is-definitely-32-bytes-or-more";

/** A valid HS256 token for `tenant` (Supabase-style audience), signed with TEST_SECRET. */
export function tokenFor(tenant: string, user = "user-1", extra: JWTPayload = {}): Promise<string> {
  return new SignJWT({ tenant_id: tenant, ...extra })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setSubject(user)
    .setAudience("authenticated")
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(TEST_SECRET));
}

/** fetch with a bearer token; string bodies are sent as JSON. */
export function call(
  base: string,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<Response> {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (typeof rest.body === "string" && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  return fetch(`${base}${path}`, { ...rest, headers });
}

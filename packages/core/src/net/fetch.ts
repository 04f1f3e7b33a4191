import type { Dispatcher } from "undici";
import { EgressRefusedError } from "./errors.js";
import type { EgressPolicy } from "./policy.js";

export interface EgressRequestInit extends RequestInit {
  /**
   * Headers that carry credentials and must not follow a redirect to another origin. `authorization`, `cookie`
   * and `proxy-authorization` always are; add the caller's own (e.g. an API-key header).
   */
  credentialHeaders?: readonly string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ALWAYS_PRIVATE = ["authorization", "cookie", "proxy-authorization"];

/**
 * fetch with redirects followed here rather than by fetch, so that every hop is checked by the policy (scheme,
 * credentials in the URL, literal host) before its connection is opened through the guarded dispatcher (which
 * checks the resolved address). At most `policy.maxRedirects` hops; credential headers are dropped on a
 * cross-origin hop, and the method/body change as the Fetch standard says (303, and 301/302 after a POST,
 * become a body-less GET).
 */
export async function fetchThroughPolicy(
  policy: EgressPolicy,
  dispatcher: Dispatcher,
  url: string | URL,
  init: EgressRequestInit = {},
): Promise<Response> {
  const { credentialHeaders = [], ...rest } = init;
  const secret = [...ALWAYS_PRIVATE, ...credentialHeaders.map((h) => h.toLowerCase())];
  const headers = new Headers(rest.headers);
  let method = (rest.method ?? "GET").toUpperCase();
  let body = rest.body;
  let current = policy.checkUrl(url);
  for (let hop = 0; ; hop++) {
    // Looked up on each call (not captured at import): test interceptors and instrumentation patch fetch.
    const response = await globalThis.fetch(current, {
      ...rest,
      method,
      headers,
      body,
      redirect: "manual",
      dispatcher,
    } as RequestInit);
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) return response;
    void response.body?.cancel().catch(() => {});
    if (hop >= policy.maxRedirects) {
      throw new EgressRefusedError(current.host, `it redirected more than ${policy.maxRedirects} times`);
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new EgressRefusedError(current.host, "it redirected to an invalid URL");
    }
    next = policy.checkUrl(next);
    const toGet =
      (response.status === 303 && method !== "HEAD") ||
      ((response.status === 301 || response.status === 302) && method === "POST");
    if (toGet) {
      method = "GET";
      body = undefined;
      for (const h of ["content-type", "content-length", "content-encoding", "content-language"])
        headers.delete(h);
    } else if (body instanceof ReadableStream) {
      throw new EgressRefusedError(next.host, "a streamed request body cannot be sent again to a redirect");
    }
    if (next.origin !== current.origin) for (const h of secret) headers.delete(h);
    current = next;
  }
}

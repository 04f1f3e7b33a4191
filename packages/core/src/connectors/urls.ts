import type { Egress } from "../net/egress.js";
import { ConnectorError, egressFailure, isAbort } from "./errors.js";
import { readLimited } from "./limits.js";
import type { Connector, ListPage, RemoteObject, UrlsConfig, UrlsCredentials } from "./types.js";

/**
 * A fixed list of web pages or files. Listing sends a HEAD per URL (its ETag or Last-Modified is the version;
 * without either, the engine hashes the body); fetching is bounded in time and size. HTML goes through the
 * HTML loader like any upload. Requests go through the egress policy: each connection's address is checked and
 * pinned, redirects are followed (and checked) hop by hop, and the credential headers never follow a redirect
 * to another origin.
 */
export class UrlListConnector implements Connector {
  readonly kind = "urls";
  readonly mode = "full";
  readonly maxBytes: number;

  constructor(
    private readonly config: UrlsConfig,
    private readonly credentials: UrlsCredentials,
    private readonly egress: Egress,
  ) {
    this.maxBytes = config.maxBytes;
  }

  async authenticate(): Promise<void> {
    // Nothing to check up front: every URL is its own object and fails on its own.
  }

  async list(_cursor: string | null, signal?: AbortSignal): Promise<ListPage> {
    const objects: RemoteObject[] = [];
    const urls = [...new Set(this.config.urls)];
    for (let i = 0; i < urls.length; i += 8) {
      objects.push(...(await Promise.all(urls.slice(i, i + 8).map((u) => this.head(u, signal)))));
    }
    return { objects, nextCursor: null };
  }

  async fetch(object: RemoteObject, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.request(object.key, "GET", signal);
    try {
      if (!res.ok) throw statusError(res.status);
      const length = Number(res.headers.get("content-length") ?? Number.NaN);
      if (length > this.maxBytes) {
        throw new ConnectorError(
          "too_large",
          `The page is ${length} bytes; the limit is ${this.maxBytes} bytes.`,
        );
      }
      if (!res.body) return new Uint8Array();
      return await readLimited(res.body, this.maxBytes);
    } catch (error) {
      void res.body?.cancel().catch(() => {});
      throw this.timeoutAware(error, signal);
    }
  }

  private async head(url: string, signal?: AbortSignal): Promise<RemoteObject> {
    const base: RemoteObject = { key: url, version: null, name: nameOf(url), url };
    try {
      const res = await this.request(url, "HEAD", signal);
      void res.body?.cancel().catch(() => {});
      if (!res.ok) return base; // some servers refuse HEAD: the GET decides
      const version = res.headers.get("etag") ?? res.headers.get("last-modified");
      const type = res.headers.get("content-type")?.split(";")[0]?.trim();
      const length = Number(res.headers.get("content-length") ?? Number.NaN);
      return {
        ...base,
        version: version ? `${res.headers.get("etag") ? "etag" : "lm"}:${version}` : null,
        ...(type ? { mimeType: type } : {}),
        ...(Number.isFinite(length) ? { size: length } : {}),
      };
    } catch (error) {
      if (isAbort(error, signal)) throw error;
      return base; // unreachable now: the GET reports the error for this URL
    }
  }

  private async request(url: string, method: "GET" | "HEAD", signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    try {
      return await this.egress.fetch(url, {
        method,
        headers: { ...this.credentials.headers, "user-agent": "ragkit-connector" },
        credentialHeaders: Object.keys(this.credentials.headers ?? {}),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw this.timeoutAware(error, signal);
    }
  }

  private timeoutAware(error: unknown, signal?: AbortSignal): unknown {
    if (error instanceof ConnectorError) return error;
    const refused = egressFailure(error);
    if (refused) return refused;
    if (signal?.aborted) return new ConnectorError("aborted", "The sync was cancelled.");
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return new ConnectorError("network", `The request timed out after ${this.config.timeoutMs} ms.`);
    }
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return new ConnectorError("network", `Could not fetch the URL (${code ?? "network error"}).`);
  }
}

function statusError(status: number): ConnectorError {
  if (status === 404 || status === 410)
    return new ConnectorError("source_not_found", `The URL answered HTTP ${status}.`);
  if (status === 401 || status === 403)
    return new ConnectorError("access_denied", `The URL answered HTTP ${status}.`);
  if (status === 429 || status === 503)
    return new ConnectorError("throttled", `The URL answered HTTP ${status}.`);
  return new ConnectorError("invalid_response", `The URL answered HTTP ${status}.`);
}

function nameOf(url: string): string {
  const u = new URL(url);
  const last = decodeURIComponent(u.pathname.split("/").filter(Boolean).pop() ?? "");
  return last || u.hostname;
}

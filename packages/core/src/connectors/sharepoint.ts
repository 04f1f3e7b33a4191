import { z } from "zod";
import type { Egress } from "../net/egress.js";
import { ConnectorError, egressFailure, isAbort } from "./errors.js";
import { parseRetryAfter, RetryableHttpError, withRetries } from "./http.js";
import { readLimited } from "./limits.js";
import type { Connector, ListPage, RemoteObject, SharePointConfig, SharePointCredentials } from "./types.js";

const tokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().default(3599),
});
const tokenErrorSchema = z.object({ error: z.string().max(200).optional() }).loose();

const driveItemSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    eTag: z.string().optional(),
    cTag: z.string().optional(),
    size: z.number().optional(),
    webUrl: z.string().optional(),
    lastModifiedDateTime: z.string().optional(),
    file: z.object({ mimeType: z.string().optional() }).loose().optional(),
    folder: z.object({}).loose().optional(),
    root: z.object({}).loose().optional(),
    deleted: z.object({ state: z.string().optional() }).loose().optional(),
    parentReference: z.object({ path: z.string().optional() }).loose().optional(),
  })
  .loose();
const deltaPageSchema = z
  .object({
    value: z.array(driveItemSchema),
    "@odata.nextLink": z.string().optional(),
    "@odata.deltaLink": z.string().optional(),
  })
  .loose();

/**
 * SharePoint / OneDrive document libraries through Microsoft Graph, app-only (client credentials). Changes
 * come from the drive's delta query: the first sync enumerates everything, later syncs start from the stored
 * `@odata.deltaLink` and see only changes (deleted items carry a `deleted` facet). Throttling (429/503) is
 * retried after the `Retry-After` Graph sends. Every request (token, Graph, and the download redirect to
 * another host) goes through the egress policy, hop by hop.
 */
export class SharePointConnector implements Connector {
  readonly kind = "sharepoint";
  readonly mode = "delta";
  readonly maxBytes: number;
  private token: { value: string; expiresAt: number } | null = null;
  private readonly graphOrigin: string;

  constructor(
    private readonly config: SharePointConfig,
    private readonly credentials: SharePointCredentials,
    private readonly egress: Egress,
  ) {
    this.maxBytes = config.maxBytes;
    this.graphOrigin = new URL(config.graphBaseUrl).origin;
  }

  private get base() {
    return this.config.graphBaseUrl.replace(/\/+$/, "");
  }

  async authenticate(signal?: AbortSignal): Promise<void> {
    await this.accessToken(signal);
  }

  async list(cursor: string | null, signal?: AbortSignal): Promise<ListPage> {
    const drive = encodeURIComponent(this.config.driveId);
    const url = cursor ?? `${this.base}/drives/${drive}/root/delta`;
    // Cursors are Graph's own links; never send the token anywhere else.
    if (new URL(url).origin !== this.graphOrigin) {
      throw new ConnectorError("invalid_response", "A delta link points outside the Graph endpoint.");
    }
    const res = await this.graph(url, signal);
    if (res.status === 410 && cursor) {
      // The delta token expired (Graph: resyncRequired): enumerate the drive again from the start.
      void res.body?.cancel().catch(() => {});
      return this.list(null, signal);
    }
    await this.check(res, "list the drive");
    const parsed = deltaPageSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success)
      throw new ConnectorError("invalid_response", "Graph returned an unexpected delta page.");
    const page = parsed.data;
    const objects = page.value.flatMap((item): RemoteObject[] => {
      if (item.deleted) return [{ key: item.id, version: null, name: item.name ?? item.id, deleted: true }];
      if (item.root || item.folder || !item.file) return [];
      if (!this.inFolder(item.parentReference?.path)) return [];
      return [
        {
          key: item.id,
          // cTag changes with the content only (eTag also with metadata such as a rename).
          version: item.cTag ?? item.eTag ?? null,
          name: item.name ?? item.id,
          ...(item.size !== undefined ? { size: item.size } : {}),
          ...(item.webUrl ? { url: item.webUrl } : {}),
          ...(item.file.mimeType ? { mimeType: item.file.mimeType } : {}),
          ...(item.lastModifiedDateTime ? { modifiedAt: item.lastModifiedDateTime } : {}),
        },
      ];
    });
    const next = page["@odata.nextLink"] ?? null;
    return {
      objects,
      nextCursor: next,
      ...(next ? {} : { deltaCursor: page["@odata.deltaLink"] ?? null }),
    };
  }

  async fetch(object: RemoteObject, signal?: AbortSignal): Promise<Uint8Array> {
    const url = `${this.base}/drives/${encodeURIComponent(this.config.driveId)}/items/${encodeURIComponent(object.key)}/content`;
    // Graph answers 302 to a pre-authenticated download URL on another host: the egress fetch follows it
    // after checking that host like any other, and drops the Authorization header on the cross-origin hop.
    const res = await this.graph(url, signal);
    await this.check(res, "download the file");
    const length = Number(res.headers.get("content-length") ?? Number.NaN);
    if (length > this.maxBytes) {
      void res.body?.cancel().catch(() => {});
      throw new ConnectorError("too_large", `File is ${length} bytes; the limit is ${this.maxBytes} bytes.`);
    }
    if (!res.body) return new Uint8Array();
    return readLimited(res.body, this.maxBytes);
  }

  private inFolder(parentPath: string | undefined): boolean {
    const folder = this.config.folderPath.replace(/\/+$/, "");
    if (!folder) return true;
    if (!parentPath) return false;
    // parentReference.path looks like "/drives/{id}/root:/Folder/Sub" (percent-encoded).
    const i = parentPath.indexOf("root:");
    const path = i < 0 ? "" : decodeURIComponent(parentPath.slice(i + 5)) || "/";
    return path === folder || path.startsWith(`${folder}/`);
  }

  private async accessToken(signal?: AbortSignal): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    const url = `${this.config.authorityUrl.replace(/\/+$/, "")}/${encodeURIComponent(this.config.tenantId)}/oauth2/v2.0/token`;
    const body = new URLSearchParams({
      client_id: this.config.clientId,
      client_secret: this.credentials.clientSecret,
      scope: `${this.graphOrigin}/.default`,
      grant_type: "client_credentials",
    });
    const res = await withRetries("the Microsoft identity platform", this.retryPolicy(signal), async () => {
      const r = await this.request(url, { method: "POST", body, signal });
      if (r.status === 429 || r.status >= 500) {
        void r.body?.cancel().catch(() => {}); // not awaited: nothing to wait for
        throw new RetryableHttpError(r.status, parseRetryAfter(r.headers.get("retry-after")));
      }
      return r;
    });
    const payload: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      // Only the OAuth error code is echoed: descriptions can quote request parameters.
      const code = tokenErrorSchema.safeParse(payload).data?.error ?? `HTTP ${res.status}`;
      throw new ConnectorError(
        res.status === 400 || res.status === 401 ? "auth_failed" : "invalid_response",
        `Microsoft Entra ID rejected the app credentials for client ${this.config.clientId} (${code}): check the tenant id, client id and client secret.`,
      );
    }
    const token = tokenSchema.safeParse(payload);
    if (!token.success)
      throw new ConnectorError("invalid_response", "The token endpoint returned no access token.");
    this.token = { value: token.data.access_token, expiresAt: Date.now() + token.data.expires_in * 1000 };
    return this.token.value;
  }

  /** A Graph GET with the bearer token, retrying throttling (429/503 + Retry-After) and network errors. */
  private async graph(url: string, signal?: AbortSignal): Promise<Response> {
    return withRetries("Microsoft Graph", this.retryPolicy(signal), async () => {
      const token = await this.accessToken(signal);
      const res = await this.request(url, { headers: { authorization: `Bearer ${token}` }, signal });
      if (res.status === 429 || res.status === 503 || res.status === 504) {
        void res.body?.cancel().catch(() => {});
        throw new RetryableHttpError(res.status, parseRetryAfter(res.headers.get("retry-after")));
      }
      return res;
    });
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.egress.fetch(url, init);
    } catch (error) {
      if (isAbort(error, init.signal ?? undefined)) throw error;
      const refused = egressFailure(error);
      if (refused) throw refused; // not retried: the address will not become allowed
      throw new RetryableHttpError(0, undefined); // network error: retried, then reported as unreachable
    }
  }

  private async check(res: Response, action: string): Promise<void> {
    if (res.ok) return;
    void res.body?.cancel().catch(() => {});
    const failure =
      res.status === 401
        ? "auth_failed"
        : res.status === 403
          ? "access_denied"
          : res.status === 404
            ? "source_not_found"
            : "invalid_response";
    throw new ConnectorError(failure, `Microsoft Graph refused to ${action} (HTTP ${res.status}).`);
  }

  private retryPolicy(signal?: AbortSignal) {
    return { retries: this.config.retries, maxRetryAfterMs: this.config.maxRetryAfterMs, signal };
  }
}

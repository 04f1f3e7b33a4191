import type { S3Client } from "@aws-sdk/client-s3";
import { ConfigError } from "../errors/index.js";
import type { Egress } from "../net/egress.js";
import { ConnectorError, egressFailure, isAbort, redact, secretStrings } from "./errors.js";
import { readLimited } from "./limits.js";
import type { Connector, ListPage, RemoteObject, S3Config, S3Credentials } from "./types.js";

type S3Module = typeof import("@aws-sdk/client-s3");

/** `@aws-sdk/client-s3` is an optional peer dependency: loaded on first use, with a clear error if absent. */
async function loadSdk(): Promise<S3Module> {
  try {
    return await import("@aws-sdk/client-s3");
  } catch (cause) {
    throw new ConfigError(
      "The S3 connector needs the optional peer dependency @aws-sdk/client-s3: npm install @aws-sdk/client-s3",
      { cause },
    );
  }
}

/**
 * S3 and S3-compatible stores: ListObjectsV2 pages (continuation token = cursor), ETag as the version,
 * GetObject for the bytes. Custom endpoint + path-style for MinIO, Ceph, R2, s3rver… The SDK connects through
 * http(s) agents of the egress policy: every socket's address is resolved once, checked and pinned.
 */
export class S3Connector implements Connector {
  readonly kind = "s3";
  readonly mode = "full";
  readonly maxBytes: number;
  private client: S3Client | null = null;
  private sdk: S3Module | null = null;
  private readonly secrets: string[];

  constructor(
    private readonly config: S3Config,
    private readonly credentials: S3Credentials,
    private readonly egress: Egress,
  ) {
    this.maxBytes = config.maxBytes;
    this.secrets = secretStrings(credentials);
  }

  private async connect(): Promise<{ client: S3Client; sdk: S3Module }> {
    if (!this.client || !this.sdk) {
      const sdk = await loadSdk();
      this.sdk = sdk;
      this.client = new sdk.S3Client({
        region: this.config.region,
        ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
        forcePathStyle: this.config.forcePathStyle,
        credentials: {
          accessKeyId: this.credentials.accessKeyId,
          secretAccessKey: this.credentials.secretAccessKey,
          ...(this.credentials.sessionToken ? { sessionToken: this.credentials.sessionToken } : {}),
        },
        maxAttempts: this.config.maxAttempts,
        // Fresh agents per client: destroying the client destroys them.
        requestHandler: this.egress.nodeAgents(),
        // Only when the API requires them: many S3-compatible stores reject or mangle the newer CRC checksums.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
    }
    return { client: this.client, sdk: this.sdk };
  }

  async authenticate(signal?: AbortSignal): Promise<void> {
    const { client, sdk } = await this.connect();
    try {
      // A one-key listing rather than HeadBucket: it checks the permission a sync needs, and unlike a HEAD
      // response its error has a body, so wrong credentials are told apart from access denied.
      await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: this.config.bucket,
          MaxKeys: 1,
          ...(this.config.prefix ? { Prefix: this.config.prefix } : {}),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      throw this.translate(error, signal);
    }
  }

  async list(cursor: string | null, signal?: AbortSignal): Promise<ListPage> {
    const { client, sdk } = await this.connect();
    try {
      const page = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: this.config.bucket,
          ...(this.config.prefix ? { Prefix: this.config.prefix } : {}),
          MaxKeys: this.config.pageSize,
          ...(cursor ? { ContinuationToken: cursor } : {}),
        }),
        { abortSignal: signal },
      );
      const objects: RemoteObject[] = (page.Contents ?? []).flatMap((o) => {
        if (!o.Key) return [];
        const object: RemoteObject = {
          key: o.Key,
          // ETag changes with the content; LastModified backs it up for stores that omit ETags.
          version: o.ETag ?? (o.LastModified ? `mtime:${o.LastModified.toISOString()}` : null),
          name: o.Key.split("/").pop() || o.Key,
          ...(o.Size !== undefined ? { size: o.Size } : {}),
          ...(o.LastModified ? { modifiedAt: o.LastModified.toISOString() } : {}),
          url: this.objectUrl(o.Key),
        };
        // "Folder" placeholder objects (zero-byte keys ending in "/") are not documents.
        if (o.Key.endsWith("/")) object.skip = "folder placeholder";
        return [object];
      });
      return { objects, nextCursor: page.IsTruncated ? (page.NextContinuationToken ?? null) : null };
    } catch (error) {
      throw this.translate(error, signal);
    }
  }

  async fetch(object: RemoteObject, signal?: AbortSignal): Promise<Uint8Array> {
    const { client, sdk } = await this.connect();
    try {
      const res = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.config.bucket, Key: object.key }),
        {
          abortSignal: signal,
        },
      );
      if (res.ContentLength !== undefined && res.ContentLength > this.maxBytes) {
        (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new ConnectorError(
          "too_large",
          `Object is ${res.ContentLength} bytes; the limit is ${this.maxBytes} bytes.`,
        );
      }
      if (!res.Body) throw new ConnectorError("invalid_response", "S3 returned no body for the object.");
      return await readLimited(res.Body as AsyncIterable<Uint8Array>, this.maxBytes);
    } catch (error) {
      throw this.translate(error, signal, object.key);
    }
  }

  close(): void {
    this.client?.destroy();
    this.client = null;
  }

  private objectUrl(key: string): string {
    const path = key.split("/").map(encodeURIComponent).join("/");
    if (this.config.endpoint) {
      const base = this.config.endpoint.replace(/\/+$/, "");
      return `${base}/${encodeURIComponent(this.config.bucket)}/${path}`;
    }
    return `s3://${this.config.bucket}/${path}`;
  }

  /** Maps SDK errors to ConnectorErrors whose messages we write ourselves (no upstream text, no secret). */
  private translate(error: unknown, signal?: AbortSignal, key?: string): ConnectorError {
    if (error instanceof ConnectorError) return error;
    if (isAbort(error, signal)) return new ConnectorError("aborted", "The sync was cancelled.");
    const refused = egressFailure(error);
    if (refused) return refused;
    const e = error as {
      name?: string;
      code?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const status = e.$metadata?.httpStatusCode;
    const name = e.name ?? "";
    const bucket = `bucket "${this.config.bucket}"`;
    const cause = new Error(redact(`${name}: ${e.message ?? ""}`, this.secrets));
    const what = key === undefined ? bucket : `object in ${bucket}`;
    if (["InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"].includes(name)) {
      return new ConnectorError(
        "auth_failed",
        `S3 rejected the credentials for ${bucket} (${name}): check the access key id and secret.`,
        { cause },
      );
    }
    if (name === "NoSuchBucket" || (key === undefined && (name === "NotFound" || status === 404))) {
      return new ConnectorError("source_not_found", `S3 ${bucket} does not exist.`, { cause });
    }
    if (name === "NoSuchKey" || status === 404) {
      return new ConnectorError("source_not_found", `The ${what} no longer exists.`, { cause });
    }
    if (name === "AccessDenied" || status === 403) {
      return new ConnectorError("access_denied", `S3 denied access to the ${what} (403).`, { cause });
    }
    if (name === "SlowDown" || status === 503 || status === 429) {
      return new ConnectorError("throttled", `S3 throttled requests to ${bucket}; try again later.`, {
        cause,
      });
    }
    if (status === undefined) {
      const code = e.code ?? (error as { cause?: { code?: string } }).cause?.code ?? name;
      return new ConnectorError(
        "network",
        `Could not reach S3 for ${bucket}${this.config.endpoint ? ` at ${this.config.endpoint}` : ""} (${code || "network error"}).`,
        { cause },
      );
    }
    return new ConnectorError(
      "invalid_response",
      `S3 request for the ${what} failed with HTTP ${status} (${name}).`,
      {
        cause,
      },
    );
  }
}

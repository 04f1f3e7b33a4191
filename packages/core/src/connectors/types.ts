import { z } from "zod";
import { DEFAULT_MAX_BYTES } from "../ingest/loaders/index.js";

/** The kinds of source a connector can read. */
export const connectorKindSchema = z.enum(["s3", "sharepoint", "dir", "urls"]);
export type ConnectorKind = z.infer<typeof connectorKindSchema>;

const maxBytes = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31)
  .default(DEFAULT_MAX_BYTES);

// ---- per-kind configuration (stored in clear: never put a secret here) ----------------------------------

export const s3ConfigSchema = z.strictObject({
  bucket: z.string().min(3).max(255),
  prefix: z.string().max(1024).default(""),
  region: z.string().min(1).max(64).default("us-east-1"),
  /** S3-compatible stores (MinIO, Ceph, R2, s3rver…): their endpoint URL. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible stores need. */
  forcePathStyle: z.boolean().default(false),
  maxBytes,
  /** Keys per ListObjectsV2 page (S3 caps it at 1,000). */
  pageSize: z.number().int().min(1).max(1000).default(1000),
  /** SDK attempts per request (network errors, 5xx, throttling). */
  maxAttempts: z.number().int().min(1).max(10).default(3),
});
export const s3CredentialsSchema = z.strictObject({
  accessKeyId: z.string().min(1).max(256),
  secretAccessKey: z.string().min(1).max(512),
  sessionToken: z.string().min(1).max(4096).optional(),
});

export const sharepointConfigSchema = z.strictObject({
  /** The Entra ID (Azure AD) tenant (directory) id or domain. */
  tenantId: z.string().regex(/^[A-Za-z0-9.-]{1,128}$/, "must be a directory id or domain"),
  clientId: z.string().min(1).max(128),
  /** The document library (drive) to read. */
  driveId: z.string().regex(/^[A-Za-z0-9!_.-]{1,256}$/, "must be a Graph drive id"),
  /** Only items under this folder path of the drive (e.g. "/Policies"); default the whole drive. */
  folderPath: z.string().max(1024).default("/"),
  graphBaseUrl: z.url({ protocol: /^https?$/ }).default("https://graph.microsoft.com/v1.0"),
  authorityUrl: z.url({ protocol: /^https?$/ }).default("https://login.microsoftonline.com"),
  maxBytes,
  /** Retries of a throttled (429/503) or failed Graph request. */
  retries: z.number().int().min(0).max(10).default(4),
  /** Upper bound for one `Retry-After` wait. */
  maxRetryAfterMs: z.number().int().min(0).max(600_000).default(60_000),
});
export const sharepointCredentialsSchema = z.strictObject({
  clientSecret: z.string().min(1).max(1024),
});

export const dirConfigSchema = z.strictObject({
  /** Absolute path of the directory (resolved when the connector is created). */
  root: z.string().min(1).max(4096),
  /** Glob patterns relative to `root`. */
  include: z.array(z.string().min(1).max(1024)).min(1).max(100).default(["**/*"]),
  exclude: z.array(z.string().min(1).max(1024)).max(100).default([]),
  maxBytes,
});
export const dirCredentialsSchema = z.strictObject({});

export const urlsConfigSchema = z.strictObject({
  urls: z
    .array(z.url({ protocol: /^https?$/ }))
    .min(1)
    .max(10_000),
  maxBytes: maxBytes.default(10 * 1024 * 1024),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
});
export const urlsCredentialsSchema = z.strictObject({
  /** Sent with every request (e.g. Authorization); secret because they usually carry a token. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(8192)).optional(),
});

export const connectorSchemas = {
  s3: { config: s3ConfigSchema, credentials: s3CredentialsSchema },
  sharepoint: { config: sharepointConfigSchema, credentials: sharepointCredentialsSchema },
  dir: { config: dirConfigSchema, credentials: dirCredentialsSchema },
  urls: { config: urlsConfigSchema, credentials: urlsCredentialsSchema },
} as const;

export type S3Config = z.output<typeof s3ConfigSchema>;
export type S3Credentials = z.output<typeof s3CredentialsSchema>;
export type SharePointConfig = z.output<typeof sharepointConfigSchema>;
export type SharePointCredentials = z.output<typeof sharepointCredentialsSchema>;
export type DirConfig = z.output<typeof dirConfigSchema>;
export type UrlsConfig = z.output<typeof urlsConfigSchema>;
export type UrlsCredentials = z.output<typeof urlsCredentialsSchema>;

export type ConnectorConfigInput =
  | { kind: "s3"; config: z.input<typeof s3ConfigSchema>; credentials: z.input<typeof s3CredentialsSchema> }
  | {
      kind: "sharepoint";
      config: z.input<typeof sharepointConfigSchema>;
      credentials: z.input<typeof sharepointCredentialsSchema>;
    }
  | {
      kind: "dir";
      config: z.input<typeof dirConfigSchema>;
      credentials?: z.input<typeof dirCredentialsSchema>;
    }
  | {
      kind: "urls";
      config: z.input<typeof urlsConfigSchema>;
      credentials?: z.input<typeof urlsCredentialsSchema>;
    };

export type CreateConnectorInput = ConnectorConfigInput & { name: string };

export interface UpdateConnectorInput {
  name?: string;
  /** Replaces the whole configuration (validated against the connector's kind). */
  config?: Record<string, unknown>;
  /** Replaces the credentials (re-encrypted with the current key). */
  credentials?: Record<string, unknown>;
}

// ---- the connector contract ---------------------------------------------------------------------------

/** One object at the source, as listed. */
export interface RemoteObject {
  /** Stable id within the connector (S3 key, Graph item id, relative path, URL). */
  key: string;
  /**
   * Change marker (ETag, cTag, mtime+size…). null = the source gives none: the engine fetches the object and
   * uses a hash of its bytes instead.
   */
  version: string | null;
  /** Display name / filename (its extension helps type detection). */
  name: string;
  size?: number;
  url?: string;
  mimeType?: string;
  modifiedAt?: string;
  /** Delta sources report deletions explicitly. */
  deleted?: boolean;
  /** Set by the connector when the object can be rejected without fetching it (e.g. a folder). */
  skip?: string;
}

export interface ListPage {
  objects: RemoteObject[];
  /** Cursor of the next page of this listing, or null when the listing is complete. */
  nextCursor: string | null;
  /** Delta sources: the cursor that starts the *next* sync (stored once the listing completes). */
  deltaCursor?: string | null;
}

/**
 * A source. `full` listings enumerate everything (objects missing from a completed listing were deleted);
 * `delta` listings return only changes since the stored delta cursor, deletions included.
 */
export interface Connector {
  readonly kind: ConnectorKind;
  readonly mode: "full" | "delta";
  /** Checks credentials and reachability of the source; throws a ConnectorError. */
  authenticate(signal?: AbortSignal): Promise<void>;
  /** One page of the listing. `cursor` is null for the first page (or a stored delta cursor). */
  list(cursor: string | null, signal?: AbortSignal): Promise<ListPage>;
  /** The object's bytes (bounded by the connector's size limit). */
  fetch(object: RemoteObject, signal?: AbortSignal): Promise<Uint8Array>;
  /** Size limit in bytes for one object. */
  readonly maxBytes: number;
  close?(): void;
}

// ---- progress events --------------------------------------------------------------------------------------

export type ObjectAction = "created" | "updated" | "deleted";

export interface SyncCounts {
  listed: number;
  unchanged: number;
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  /** Objects whose bytes were downloaded. */
  fetched: number;
  bytes: number;
}

export interface SyncSummary extends SyncCounts {
  connectorId: string;
  runId: string;
  status: "succeeded" | "partial" | "failed" | "cancelled";
  resumed: boolean;
  jobIds: string[];
  elapsedMs: number;
}

export type SyncEvent =
  | { type: "started"; connectorId: string; runId: string; resumed: boolean }
  | { type: "page"; listed: number; counts: SyncCounts }
  | { type: "object"; key: string; action: ObjectAction; jobId?: string }
  | { type: "object_failed"; key: string; code: string; message: string }
  | { type: "finished"; summary: SyncSummary }
  | { type: "cancelled"; summary: SyncSummary };

/** A connector as returned by the API: never its credentials. */
export interface ConnectorRecord {
  id: string;
  tenantId: string;
  kind: ConnectorKind;
  name: string;
  config: Record<string, unknown>;
  hasCredentials: boolean;
  lastSync: {
    status: SyncSummary["status"] | "running" | null;
    at: Date | null;
    error: string | null;
    summary: SyncSummary | null;
  };
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ConnectorObjectRecord {
  key: string;
  version: string | null;
  sizeBytes: number | null;
  jobId: string | null;
  documentId: string | null;
  lastError: string | null;
  errorCode: string | null;
  updatedAt: Date;
}

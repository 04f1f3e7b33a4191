import { z } from "zod";
import { jsonObjectSchema } from "./json.js";
import { textSchema } from "./text.js";

export const connectorKindSchema = z.enum(["s3", "sharepoint", "dir", "urls"]);
export type ConnectorKindName = z.infer<typeof connectorKindSchema>;

/** Connector configuration and credentials: JSON objects of at most 8 levels and 64 KiB. */
const connectorJsonSchema = jsonObjectSchema({ maxDepth: 8, maxBytes: 64 * 1024 });

/**
 * `POST /connectors`. `config` and `credentials` are validated per kind by the server (see docs/connectors.md);
 * credentials are encrypted at rest and never returned.
 */
export const createConnectorRequestSchema = z
  .object({
    kind: connectorKindSchema,
    name: textSchema.min(1).max(200),
    config: connectorJsonSchema,
    credentials: connectorJsonSchema.optional(),
  })
  .strict();
export type CreateConnectorRequest = z.input<typeof createConnectorRequestSchema>;

/** `PATCH /connectors/:id`: replaces the name, the whole config and/or the credentials. */
export const updateConnectorRequestSchema = z
  .object({
    name: textSchema.min(1).max(200).optional(),
    config: connectorJsonSchema.optional(),
    credentials: connectorJsonSchema.optional(),
  })
  .strict();
export type UpdateConnectorRequest = z.input<typeof updateConnectorRequestSchema>;

/** `DELETE /connectors/:id` query string. */
export const deleteConnectorQuerySchema = z.object({
  /** Also delete the documents the connector ingested. */
  deleteDocuments: z.enum(["true", "false"], 'must be "true" or "false"').default("false"),
});

export const syncSummarySchema = z.object({
  connectorId: z.string(),
  runId: z.string(),
  status: z.enum(["succeeded", "partial", "failed", "cancelled"]),
  resumed: z.boolean(),
  jobIds: z.array(z.string()),
  elapsedMs: z.number(),
  listed: z.number().int(),
  unchanged: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  failed: z.number().int(),
  fetched: z.number().int(),
  bytes: z.number().int(),
});
export type SyncSummaryPayload = z.infer<typeof syncSummarySchema>;

/** A connector as the API shows it: never its credentials (only whether it has some). */
export const connectorSummarySchema = z.object({
  id: z.string(),
  kind: connectorKindSchema,
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  hasCredentials: z.boolean(),
  lastSync: z.object({
    status: z.enum(["succeeded", "partial", "failed", "cancelled", "running"]).nullable(),
    at: z.iso.datetime({ offset: true }).nullable(),
    error: z.string().nullable(),
    summary: syncSummarySchema.nullable(),
  }),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type ConnectorSummary = z.infer<typeof connectorSummarySchema>;

export const connectorResponseSchema = z.object({ connector: connectorSummarySchema });
export const connectorListResponseSchema = z.object({ connectors: z.array(connectorSummarySchema) });
/** `POST /connectors/:id/sync` without `Accept: text/event-stream`: the finished sync. */
export const syncResponseSchema = z.object({ summary: syncSummarySchema });

/**
 * `POST /connectors/:id/sync` with `Accept: text/event-stream`: one SSE event per step, `event:` = `type`
 * (`started`, `page`, `object`, `object_failed`, then `finished` or `cancelled` with the summary, or `error`).
 */
export const syncEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("started"), connectorId: z.string(), runId: z.string(), resumed: z.boolean() }),
  z.object({ type: z.literal("page"), listed: z.number().int(), counts: z.record(z.string(), z.number()) }),
  z.object({
    type: z.literal("object"),
    key: z.string(),
    action: z.enum(["created", "updated", "deleted"]),
    jobId: z.string().optional(),
  }),
  z.object({ type: z.literal("object_failed"), key: z.string(), code: z.string(), message: z.string() }),
  z.object({ type: z.literal("finished"), summary: syncSummarySchema }),
  z.object({ type: z.literal("cancelled"), summary: syncSummarySchema }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type SyncEventPayload = z.infer<typeof syncEventSchema>;

import { z } from "zod";

export const jobStateSchema = z.enum([
  "queued",
  "parsing",
  "chunking",
  "embedding",
  "indexing",
  "done",
  "failed",
  "cancelled",
]);
export type JobState = z.infer<typeof jobStateSchema>;

/** An ingestion job as the API shows it (no file bytes, no tenant id). */
export const jobSchema = z.object({
  id: z.string(),
  state: jobStateSchema,
  /** 0..1 */
  progress: z.number().min(0).max(1),
  attempts: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
  /** Why the last attempt failed; `errorCode` is a stable code (`unsupported_type`, `too_large`, …). */
  lastError: z.string().nullable(),
  errorCode: z.string().nullable(),
  filename: z.string().nullable(),
  sizeBytes: z.number().int().min(0),
  documentId: z.string().nullable(),
  result: z
    .object({
      outcome: z.enum(["created", "replaced", "unchanged"]),
      chunks: z.number().int().min(0),
      tokens: z.number().int().min(0),
      costUsd: z.number().min(0),
    })
    .nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  startedAt: z.iso.datetime({ offset: true }).nullable(),
  finishedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type JobSummary = z.infer<typeof jobSchema>;

export const jobResponseSchema = z.object({ job: jobSchema });
export type JobResponse = z.infer<typeof jobResponseSchema>;

export const jobListResponseSchema = z.object({ jobs: z.array(jobSchema) });
export type JobListResponse = z.infer<typeof jobListResponseSchema>;

/** `GET /jobs` query string. */
export const listJobsQuerySchema = z.object({
  state: jobStateSchema.optional(),
  limit: z.coerce.number("must be a number").int("must be an integer").min(1).max(100).default(20),
});

/**
 * One `GET /jobs/:id/events` server-sent event (`event: progress`, `id:` = `id`): the job's state machine as it
 * moves. The stream ends after a terminal state (done / failed / cancelled). Reconnect with `Last-Event-ID`.
 */
export const jobEventSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  state: jobStateSchema,
  progress: z.number().min(0).max(1),
  message: z.string().nullable(),
  at: z.iso.datetime({ offset: true }),
});
export type JobEventPayload = z.infer<typeof jobEventSchema>;

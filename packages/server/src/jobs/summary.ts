import type { Job, JobEvent } from "@ragkit/core";
import type { JobEventPayload, JobSummary } from "@ragkit/protocol";

export function toJobSummary(job: Job): JobSummary {
  return {
    id: job.id,
    state: job.state,
    progress: job.progress,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    lastError: job.lastError,
    errorCode: job.errorCode,
    filename: job.input.filename ?? null,
    sizeBytes: job.input.sizeBytes,
    documentId: job.documentId,
    result: job.result,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export function toJobEvent(event: JobEvent): JobEventPayload {
  return {
    id: event.id,
    jobId: event.jobId,
    state: event.state,
    progress: event.progress,
    message: event.message,
    at: event.at.toISOString(),
  };
}

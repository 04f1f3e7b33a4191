import { parseJson } from "../store/documents.js";
import type { Job, JobEvent, JobInput, JobState } from "./types.js";

export const jobColumns = `id, tenant_id, kind, state, progress, attempts, max_attempts, last_error, error_code, input,
  document_id, result, created_by, created_at, updated_at, started_at, finished_at`;

export interface JobRow {
  id: string;
  tenant_id: string;
  kind: "ingest";
  state: JobState;
  progress: number;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  error_code: string | null;
  input: JobInput | string;
  document_id: string | null;
  result: Job["result"] | string | null;
  created_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const date = (v: Date | string | null) => (v === null ? null : new Date(v));

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    state: row.state,
    progress: Number(row.progress),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    errorCode: row.error_code,
    input: parseJson(row.input as Record<string, unknown> | string) as unknown as JobInput,
    documentId: row.document_id,
    result:
      row.result === null
        ? null
        : (parseJson(row.result as Record<string, unknown> | string) as Job["result"]),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

export interface JobEventRow {
  id: string | number;
  job_id: string;
  state: JobState;
  progress: number;
  message: string | null;
  created_at: Date | string;
}

export function toJobEvent(row: JobEventRow): JobEvent {
  return {
    id: String(row.id),
    jobId: row.job_id,
    state: row.state,
    progress: Number(row.progress),
    message: row.message,
    at: new Date(row.created_at),
  };
}

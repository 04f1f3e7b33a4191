export type JobState =
  | "queued"
  | "parsing"
  | "chunking"
  | "embedding"
  | "indexing"
  | "done"
  | "failed"
  | "cancelled";
export const TERMINAL_STATES: readonly JobState[] = ["done", "failed", "cancelled"];
export const RUNNING_STATES: readonly JobState[] = ["parsing", "chunking", "embedding", "indexing"];

export interface JobInput {
  filename?: string;
  mimeType?: string;
  sourceId?: string;
  sourceUrl?: string;
  source?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  sizeBytes: number;
  /** Set for a reindex job: the document re-chunked and re-embedded from its stored text (no file). */
  reindexOf?: string;
}

export interface Job {
  id: string;
  tenantId: string;
  kind: "ingest";
  state: JobState;
  /** 0..1 */
  progress: number;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  errorCode: string | null;
  input: JobInput;
  documentId: string | null;
  result: {
    outcome: "created" | "replaced" | "unchanged";
    chunks: number;
    tokens: number;
    costUsd: number;
  } | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface JobEvent {
  /** Monotonic per database; resume a stream after it. */
  id: string;
  jobId: string;
  state: JobState;
  progress: number;
  message: string | null;
  at: Date;
}

import { fromJsonb } from "../store/storable.js";
import type { RunEventRecord, RunKind, RunRecord, RunStatus, ThreadSummary } from "./types.js";

export const runColumns =
  "id, tenant_id, thread_id, kind, status, cancel_requested, background, started_by, title, owner, last_seq::text AS last_seq, error_code, error, created_at, updated_at, finished_at";

export interface RunRow {
  id: string;
  tenant_id: string;
  thread_id: string;
  kind: RunKind;
  status: RunStatus;
  cancel_requested: boolean;
  background: boolean;
  started_by: string | null;
  title: string | null;
  owner: string | null;
  last_seq: string | number;
  error_code: string | null;
  error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
}

export function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    threadId: r.thread_id,
    kind: r.kind,
    status: r.status,
    cancelRequested: r.cancel_requested,
    background: r.background,
    startedBy: r.started_by,
    title: r.title,
    owner: r.owner,
    lastSeq: Number(r.last_seq),
    errorCode: r.error_code,
    error: r.error,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  };
}

export interface RunEventRow {
  seq: string | number;
  type: string;
  data: Record<string, unknown> | string;
  created_at: Date | string;
}

export function toRunEvent(r: RunEventRow): RunEventRecord {
  return {
    seq: Number(r.seq),
    type: r.type,
    data: fromJsonb<Record<string, unknown>>(r.data),
    createdAt: new Date(r.created_at),
  };
}

export interface ThreadRow {
  thread_id: string;
  title: string | null;
  run_count: string | number;
  last_run_id: string;
  last_status: RunStatus;
  created_at: Date | string;
  updated_at: Date | string;
}

export function toThread(r: ThreadRow): ThreadSummary {
  return {
    threadId: r.thread_id,
    title: r.title,
    runCount: Number(r.run_count),
    lastRunId: r.last_run_id,
    lastStatus: r.last_status,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

import { z } from "zod";

export const runStatusSchema = z.enum(["running", "completed", "interrupted", "failed", "cancelled"]);
export type RunStatus = z.infer<typeof runStatusSchema>;
export const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  "completed",
  "interrupted",
  "failed",
  "cancelled",
]);

export const runKindSchema = z.enum(["message", "resume", "continue"]);
export type RunKind = z.infer<typeof runKindSchema>;

/** Run and thread ids: the agent's thread id alphabet (safe in URLs, logs and SSE ids). */
export const runIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "may contain only letters, digits and . _ : @ -");

export interface RunRecord {
  id: string;
  tenantId: string;
  threadId: string;
  kind: RunKind;
  status: RunStatus;
  cancelRequested: boolean;
  background: boolean;
  startedBy: string | null;
  title: string | null;
  /** The replica (process) that executes the run. */
  owner: string | null;
  /** The seq of the last persisted event (0: none yet). */
  lastSeq: number;
  errorCode: string | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** One persisted event of a run. `data` is the event as the agent emitted it (JSON). */
export interface RunEventRecord {
  seq: number;
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface NewRunEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

/** A conversation as seen through its runs. */
export interface ThreadSummary {
  threadId: string;
  title: string | null;
  runCount: number;
  lastRunId: string;
  lastStatus: RunStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreateRunInput {
  /** Default: a random UUID. */
  id?: string;
  threadId: string;
  kind?: RunKind;
  background?: boolean;
  title?: string | null;
  owner?: string | null;
}

export interface CreateRunOptions {
  /** First end the thread's running run if not updated for this long (its owner is gone), same transaction. */
  expireStaleAfterMs?: number;
  /** When `id` is taken in this tenant, store the run under a new random id instead of failing. */
  freshIdIfTaken?: boolean;
}

export interface FinishRunInput {
  status: Exclude<RunStatus, "running">;
  errorCode?: string | null;
  error?: string | null;
}

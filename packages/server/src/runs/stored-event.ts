import type { NewRunEvent, RunEventRecord } from "@ragkit/core";
import { type AgentEvent, agentEventSchema } from "@ragkit/protocol";

/** One event of a run as stored and streamed: `seq` is its SSE id (1, 2, 3, … per run). */
export interface StoredEvent {
  seq: number;
  event: AgentEvent;
}

/**
 * A `run_events` row that is not an agent event this server knows: written by a newer replica during a rolling
 * deploy, or edited by hand. Followers skip it (and report it through `onError`) instead of ending the stream.
 */
export class InvalidRunEventError extends Error {
  override readonly name = "InvalidRunEventError";
  constructor(
    readonly runId: string,
    readonly seq: number,
    readonly type: string,
    readonly problem: string,
  ) {
    super(`Event ${seq} (${type}) of run ${runId} is not a valid agent event: ${problem}`);
  }
}

/** The row as the run store writes it: the event itself is the row's data. */
export function toRunEventRow({ seq, event }: StoredEvent): NewRunEvent {
  return { seq, type: event.type, data: event };
}

/**
 * Reads a row back: rows come from the database (another replica, an older version), so they are validated
 * once, here, and everything after this boundary handles a typed `AgentEvent`.
 */
export function fromRunEventRow(runId: string, row: RunEventRecord): StoredEvent | InvalidRunEventError {
  const parsed = agentEventSchema.safeParse(row.data);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ");
    return new InvalidRunEventError(runId, row.seq, row.type, problem);
  }
  if (parsed.data.type !== row.type) {
    return new InvalidRunEventError(runId, row.seq, row.type, `its data is a "${parsed.data.type}" event`);
  }
  return { seq: row.seq, event: parsed.data };
}

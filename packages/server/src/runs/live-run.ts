import type { AgentEvent } from "@ragkit/protocol";
import type { TenantContext } from "../core.js";
import type { StoredEvent } from "./stored-event.js";

export type { StoredEvent } from "./stored-event.js";

/**
 * A run executing in this process: the full event log in memory (runs are short; dropped when the run ends),
 * so live subscribers never wait on the database, plus what is not yet persisted.
 */
export class LiveRun {
  readonly events: StoredEvent[] = [];
  /** Events not yet written to `run_events`. */
  readonly unsaved: StoredEvent[] = [];
  readonly abort = new AbortController();
  finished = false;
  subscribers = 0;
  flushing: Promise<void> | null = null;
  flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set when the run's events could not be written even after retries: the run is being ended. */
  persistFailed = false;
  private waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly threadId: string,
    readonly ctx: TenantContext,
    readonly background: boolean,
  ) {}

  push(event: AgentEvent): StoredEvent {
    const stored = { seq: this.events.length + 1, event };
    this.events.push(stored);
    this.unsaved.push(stored);
    this.wake();
    return stored;
  }

  finish(): void {
    this.finished = true;
    this.wake();
  }

  /** Resolves on the next event, on finish, or when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.finished || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

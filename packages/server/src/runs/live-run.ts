import type { TenantContext } from "../core.js";

/** One event of a run as stored and streamed: `seq` is its SSE id. `data` is the agent's event. */
export interface StoredEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

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

  push(type: string, data: Record<string, unknown>): StoredEvent {
    const event = { seq: this.events.length + 1, type, data };
    this.events.push(event);
    this.unsaved.push(event);
    this.wake();
    return event;
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

import type { RagAgentOptions } from "@ragkit/core";
import { z } from "zod";

/** The chat agent served by the handler (`/chat/stream`, the AG-UI/CopilotKit routes, `/threads`). */
export interface AgentHandlerOptions {
  /** Passed to `createRagAgent` (models, approvals, data tools, limits); the handler supplies the store. */
  options?: Omit<RagAgentOptions, "store">;
  /** The agent's id in `GET /info` and `/agent/:agentId/...` (CopilotKit's `agentId`). Default `"ragkit"`. */
  id?: string;
  /** Display name and description in `GET /info`. */
  name?: string;
  description?: string;
  /** Interval of `: keep-alive` comment frames on idle streams, in ms. Default 15 000. */
  heartbeatMs?: number;
  /**
   * How often a replica polls the database: for new events of a run executing on another replica, and for
   * stop requests of the runs it executes. Default 1 000 ms.
   */
  pollIntervalMs?: number;
  /**
   * How long a run's new events may wait before they are written to `run_events` (batched: one transaction per
   * interval instead of one per token). Live clients never wait for it; only a reconnect served by *another*
   * replica can lag by this much. Default 500 ms.
   */
  flushIntervalMs?: number;
  /**
   * A run whose executing replica has not heart-beaten (every `pollIntervalMs`) for this long is ended as
   * failed (`owner_lost`), so followers stop waiting and the thread takes new runs. Default 30 000 ms; must be
   * at least 3 × `pollIntervalMs`.
   */
  staleRunMs?: number;
  /**
   * A failed write of a run's events is retried this many times, `persistRetryMs` apart and doubling (default
   * 5 retries from 100 ms: about 3 s); the events wait in memory meanwhile, in order. If they still cannot be
   * written, the run is stopped and ends with a `run_error` event (code `persistence_failed`) that is written
   * together with every event before it, so a replay never silently misses events.
   */
  persistRetries?: number;
  persistRetryMs?: number;
  /**
   * Also end runs that wait for approval with AG-UI's standard `RUN_FINISHED.outcome: "interrupt"` (and
   * replay it on connect). An AG-UI client then blocks every new message on the thread until the interrupt is
   * resumed, so only turn this on when every client handles interrupts (CopilotKit `useInterrupt`). Default
   * false: approvals arrive as a note message, shared state and CUSTOM `on_interrupt` (which `useInterrupt`
   * handles too), and a new message declines them.
   */
  standardInterrupts?: boolean;
}

export const agentOptionsSchema = z
  .object({
    options: z.record(z.string(), z.unknown()).optional(),
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "must be letters, digits, _ or - (max 64)")
      .default("ragkit"),
    name: z.string().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    heartbeatMs: z.number().int().min(10).max(300_000).default(15_000),
    pollIntervalMs: z.number().int().min(10).max(60_000).default(1_000),
    flushIntervalMs: z.number().int().min(0).max(60_000).default(500),
    staleRunMs: z.number().int().min(30).max(3_600_000).default(30_000),
    persistRetries: z.number().int().min(0).max(20).default(5),
    persistRetryMs: z.number().int().min(1).max(60_000).default(100),
    standardInterrupts: z.boolean().default(false),
  })
  .strict()
  .refine((o) => o.staleRunMs >= 3 * o.pollIntervalMs, {
    message: "staleRunMs must be at least 3 × pollIntervalMs (the owner heart-beats once per poll)",
    path: ["staleRunMs"],
  })
  .default({
    id: "ragkit",
    heartbeatMs: 15_000,
    pollIntervalMs: 1_000,
    flushIntervalMs: 500,
    staleRunMs: 30_000,
    persistRetries: 5,
    persistRetryMs: 100,
    standardInterrupts: false,
  });

export type ParsedAgentOptions = Omit<z.output<typeof agentOptionsSchema>, "options"> & {
  options?: Omit<RagAgentOptions, "store"> | undefined;
};

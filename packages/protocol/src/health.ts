import { z } from "zod";

/** `GET /health`: the process is up (no dependencies checked). */
export const healthResponseSchema = z.object({ status: z.literal("ok") });
export type HealthResponse = z.infer<typeof healthResponseSchema>;

/** `GET /ready`: the database answered a trivial query. */
export const readyResponseSchema = z.object({ status: z.literal("ready") });
export type ReadyResponse = z.infer<typeof readyResponseSchema>;

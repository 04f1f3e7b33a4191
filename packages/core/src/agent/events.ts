import { z } from "zod";
import { stepSchema } from "./state.js";

// The event union is part of the wire protocol (the server stores and forwards it as is): one definition, in
// @ragkit/protocol. Re-exported here so `@ragkit/core`'s `agentEventSchema`, `AgentEvent`, … keep working.
export {
  type AgentEvent,
  type AgentEventOf,
  type AgentEventType,
  agentEventSchema,
} from "@ragkit/protocol";

/** Payloads nodes write through LangGraph's `config.writer` ("custom" stream mode). */
export const customPayloadSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("step_started"), step: stepSchema }),
  z.object({
    type: z.literal("text_delta"),
    messageId: z.string(),
    delta: z.string(),
    reset: z.boolean().optional(),
  }),
]);
export type CustomPayload = z.infer<typeof customPayloadSchema>;

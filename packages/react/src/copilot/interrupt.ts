import { type ChatInterrupt, chatInterruptSchema } from "@ragkit/protocol";
import { z } from "zod";

/** AG-UI's standard interrupt as the RagKit server fills it (`metadata` carries the tool call). */
const standardInterruptSchema = z.object({
  id: z.string(),
  message: z.string().optional(),
  metadata: z
    .object({ tool: z.string(), args: z.record(z.string(), z.unknown()).catch({}) })
    .passthrough()
    .optional(),
});

/**
 * The approval behind a CopilotKit interrupt, from either delivery: the standard `RUN_FINISHED` outcome
 * (`interrupt`) or the legacy CUSTOM `on_interrupt` event (`event.value`). Null when it is not a RagKit approval.
 */
export function approvalFromInterrupt(props: {
  interrupt: unknown;
  event: { value: unknown };
}): ChatInterrupt | null {
  const standard = standardInterruptSchema.safeParse(props.interrupt);
  if (standard.success && standard.data.metadata) {
    return {
      id: standard.data.id,
      kind: "approval",
      tool: standard.data.metadata.tool,
      args: standard.data.metadata.args,
      reason: standard.data.message ?? "Approval required.",
    };
  }
  const legacy = chatInterruptSchema.safeParse(props.event.value);
  return legacy.success ? legacy.data : null;
}

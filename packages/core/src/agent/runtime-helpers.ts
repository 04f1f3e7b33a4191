import { BaseMessage } from "@langchain/core/messages";
import { Overwrite, type StateSnapshot } from "@langchain/langgraph";
import { z } from "zod";
import { isRagKitError, RagKitError, ValidationError } from "../errors/index.js";
import type { TenantContext } from "../tenant/context.js";
import { type PendingInterrupt, pendingInterruptSchema } from "./approval.js";
import type { AgentStep, RagAgentStateValue } from "./state.js";

/* Small helpers of the agent runtime: input checks, thread keys, abort racing, error mapping. */

export const threadIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "may contain only letters, digits and . _ : @ -");

export function threadKey(tenant: TenantContext, threadId: string): string {
  // Tenant ids cannot contain "/", so the key is unambiguous; one tenant can never open another's thread.
  return `${tenant.tenantId}/${threadId}`;
}

export const abortedError = () => new RagKitError("aborted", "The run was cancelled.");

/** Iterates `source`, but rejects as soon as `signal` aborts even if the source is stuck in a step. */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedError());
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    while (true) {
      const next = iterator.next();
      next.catch(() => {});
      const result = await Promise.race([next, aborted]);
      if (result.done) return;
      yield result.value;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    iterator.return?.()?.catch(() => {});
  }
}

/** The approval request waiting in a snapshot's tasks, if any. */
export function interruptOf(snapshot: StateSnapshot): PendingInterrupt | null {
  for (const task of snapshot.tasks ?? []) {
    for (const i of task.interrupts ?? []) {
      const parsed = pendingInterruptSchema.safeParse({ ...(i.value as object), id: i.id });
      if (parsed.success) return parsed.data;
    }
  }
  return null;
}

export function nodeOf(snapshot: StateSnapshot): string {
  const source = snapshot.metadata?.source ?? "loop";
  if (source !== "loop") return source;
  if ((snapshot.metadata?.step ?? 0) <= 0) return "start";
  return (snapshot.values as Partial<RagAgentStateValue>).step ?? "start";
}

export function checkThreadId(threadId: unknown): string {
  const parsed = threadIdSchema.safeParse(threadId);
  if (!parsed.success) {
    throw new ValidationError(`Invalid thread id: ${parsed.error.issues[0]?.message ?? "invalid"}.`, {
      details: [{ path: "threadId", message: parsed.error.issues[0]?.message ?? "invalid" }],
    });
  }
  return parsed.data;
}

export const checkpointIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/);

/** New items of a reduced list in a node's update: a plain array, or (from `analyze`) an Overwrite in its wire form. */
export function listOf<T>(value: unknown): T[] {
  if (Overwrite.isInstance(value)) {
    const o = value as { value?: unknown; __overwrite__?: unknown };
    return (o.value ?? o.__overwrite__ ?? []) as T[];
  }
  return Array.isArray(value) ? (value as T[]) : [];
}

/** The messages of a node's update (`messages` may be one message or a list). */
export function messagesOf(value: unknown): BaseMessage[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((m): m is BaseMessage => BaseMessage.isInstance(m));
}

const toolResultsSchema = z
  .array(
    z.object({
      toolCallId: z.string().min(1).max(200),
      content: z.string(),
      messageId: z.string().min(1).max(200).optional(),
    }),
  )
  .min(1)
  .max(64);

/** Client tool results: 1-64 of them, each at most `maxBytes` of UTF-8 (like a user message). */
export function checkToolResults(results: unknown, maxBytes: number): void {
  const parsed = toolResultsSchema.safeParse(results);
  if (!parsed.success) {
    throw new ValidationError("Invalid tool results.", {
      details: parsed.error.issues.map((i) => ({ path: `results.${i.path.join(".")}`, message: i.message })),
    });
  }
  for (const [i, r] of parsed.data.entries()) {
    const bytes = Buffer.byteLength(r.content, "utf8");
    if (bytes > maxBytes) {
      throw new RagKitError(
        "too_large",
        `Tool result ${i} is ${bytes} bytes; the limit is ${maxBytes} bytes.`,
        {
          details: [{ path: `results.${i}.content`, message: `at most ${maxBytes} bytes` }],
        },
      );
    }
  }
}

export function checkInput(message: unknown, threadId: string, maxBytes: number): void {
  if (typeof message !== "string") throw new ValidationError("The message must be a string.");
  if (message.trim().length === 0) {
    throw new ValidationError("The message is empty.", { details: [{ path: "message", message: "empty" }] });
  }
  const bytes = Buffer.byteLength(message, "utf8");
  if (bytes > maxBytes) {
    throw new RagKitError("too_large", `The message is ${bytes} bytes; the limit is ${maxBytes} bytes.`, {
      details: [{ path: "message", message: `at most ${maxBytes} bytes` }],
    });
  }
  const parsed = threadIdSchema.safeParse(threadId);
  if (!parsed.success) {
    throw new ValidationError(`Invalid thread id: ${parsed.error.issues[0]?.message ?? "invalid"}.`, {
      details: [{ path: "threadId", message: parsed.error.issues[0]?.message ?? "invalid" }],
    });
  }
}

export function describeError(
  error: unknown,
  signal: AbortSignal,
  stepName: AgentStep,
  onInternalError?: (error: unknown) => void,
): { code: string; message: string } {
  if (signal.aborted) return { code: "aborted", message: "The run was cancelled." };
  if (isRagKitError(error)) return { code: error.code, message: error.message };
  onInternalError?.(error);
  return { code: "internal_error", message: `The agent failed during "${stepName}".` };
}

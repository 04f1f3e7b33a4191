import type { ChatEvent, ErrorBody } from "@ragkit/protocol";

/**
 * Reading the server's JSON without run-time schemas. The server validates everything that enters it and
 * answers with the protocol's types; the client checks only the envelope (JSON, an object, an error body's
 * code and message), so the headless bundle carries no zod (issue 16). A newer server's extra fields pass through.
 */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `error` of a RagKit error body, or null for anything else (a proxy's page, an empty body). */
export function errorOf(payload: unknown): ErrorBody["error"] | null {
  if (!isJsonObject(payload) || !isJsonObject(payload.error)) return null;
  const { code, message, requestId, details } = payload.error;
  if (typeof code !== "string" || typeof message !== "string") return null;
  return {
    code: code as ErrorBody["error"]["code"],
    message,
    requestId: typeof requestId === "string" ? requestId : "",
    ...(Array.isArray(details) ? { details: details as NonNullable<ErrorBody["error"]["details"]> } : {}),
  };
}

/** A malformed frame: the stream is not the protocol's (ends the stream with `invalid_response`). */
export class MalformedEventError extends Error {
  override readonly name = "MalformedEventError";
}

/** The JSON object of an SSE frame's data; throws `MalformedEventError` for anything else. */
export function frameData(frame: { event?: string | undefined; data: string }): JsonObject {
  let data: unknown;
  try {
    data = JSON.parse(frame.data);
  } catch (error) {
    throw new MalformedEventError(`The "${frame.event ?? "message"}" event is not JSON.`, { cause: error });
  }
  if (!isJsonObject(data))
    throw new MalformedEventError(`The "${frame.event ?? "message"}" event is not an object.`);
  return data;
}

/**
 * A chat SSE frame as a `ChatEvent`. Frames without an event name (comments, keep-alives) are null; event types
 * this client does not know are passed on and ignored by `applyChatEvent`, as a newer server may send them.
 */
export function chatEventOf(frame: {
  event?: string | undefined;
  id?: string | undefined;
  data: string;
}): ChatEvent | null {
  if (!frame.event) return null;
  return { type: frame.event, id: Number(frame.id ?? 0), data: frameData(frame) } as ChatEvent;
}

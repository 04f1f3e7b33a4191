import { errorBodySchema } from "@ragkit/protocol";
import { createParser } from "eventsource-parser";

/**
 * One attack request and how it is judged. Every request of the attack suite goes through `Attacker.send`, which
 * reads the whole answer (SSE streams end with their run), and through `Tally.judge`, which counts it as
 * rejected as expected, a leak, a 5xx or an unexpected answer. The suite passes only with 0 of the last three.
 */

export interface Req {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Relative to the handler's base path, query string included. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer> | FormData;
  /** The bearer token; `null`: none (public routes, or the token is in `headers`). */
  token: string | null;
}

export interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  /** The parsed JSON body (null when not JSON). */
  json: unknown;
  /** SSE frames (`event`, parsed `data`) when the answer is an event stream. */
  frames: Array<{ event: string; data: unknown }>;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

/** SSE frames of a complete stream (the suite reads every stream to its end). */
function framesOf(text: string): Answer["frames"] {
  const frames: Answer["frames"] = [];
  const parser = createParser({
    onEvent: (m) => frames.push({ event: m.event ?? "message", data: parse(m.data) }),
  });
  parser.feed(text);
  return frames;
}

export async function send(base: string, req: Req): Promise<Answer> {
  const headers = new Headers(req.headers);
  if (req.token !== null) headers.set("authorization", `Bearer ${req.token}`);
  if (req.body !== undefined && !(req.body instanceof FormData) && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  const res = await fetch(`${base}${req.path}`, {
    method: req.method,
    headers,
    ...(req.body === undefined ? {} : { body: req.body }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const contentType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  return {
    status: res.status,
    contentType,
    headers: res.headers,
    text,
    json: contentType === "application/json" ? parse(text) : null,
    frames: contentType === "text/event-stream" ? framesOf(text) : [],
  };
}

/** The standard error body's code and message, or null. */
export function errorOf(answer: Answer): { code: string; message: string; paths: string[] } | null {
  const parsed = errorBodySchema.safeParse(answer.json);
  if (!parsed.success) return null;
  const { code, message, details } = parsed.data.error;
  return { code, message, paths: (details ?? []).map((d) => d.path) };
}

/**
 * What a client can tell apart between two answers: status, media type, the error's code, message and fields,
 * the JSON body's structure (keys and value types, not values), or the SSE event sequence.
 */
export function shapeOf(answer: Answer): string {
  const error = errorOf(answer);
  const body = error
    ? { error: { code: error.code, message: error.message, paths: error.paths } }
    : answer.contentType === "text/event-stream"
      ? answer.frames.map((f) => f.event)
      : skeleton(answer.json);
  return JSON.stringify({ status: answer.status, type: answer.contentType, body });
}

function skeleton(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [skeleton(value[0])];
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, skeleton(v)]),
    );
  }
  return value === null ? null : typeof value;
}

/** The strings of `forbidden` that occur in `text`, leaving out those the request itself carried (echoes). */
export function leaked(text: string, forbidden: readonly string[], req?: Req): string[] {
  const sent = req
    ? `${req.path}\n${JSON.stringify(req.headers ?? {})}\n${typeof req.body === "string" ? req.body : ""}`
    : "";
  return forbidden.filter((s) => text.includes(s) && !sent.includes(s));
}

export type Verdict = { ok: true } | { ok: false; leak: boolean; why: string };
export const held: Verdict = { ok: true };
export const wrong = (why: string): Verdict => ({ ok: false, leak: false, why });
export const leak = (why: string): Verdict => ({ ok: false, leak: true, why });

export class Tally {
  attempts = 0;
  rejected = 0;
  leaks = 0;
  fiveXx = 0;
  readonly failures: string[] = [];
  readonly perFamily = new Map<string, number>();

  /** Counts one attempt. A 5xx is always a failure, whatever the verdict. */
  record(family: string, name: string, status: number, verdict: Verdict): void {
    this.attempts++;
    this.perFamily.set(family, (this.perFamily.get(family) ?? 0) + 1);
    if (status >= 500) {
      this.fiveXx++;
      this.failures.push(`[${family}] ${name}: ${status}`);
      return;
    }
    if (verdict.ok) {
      this.rejected++;
      return;
    }
    if (verdict.leak) this.leaks++;
    this.failures.push(`[${family}] ${name}: ${verdict.leak ? "LEAK " : ""}${verdict.why}`);
  }

  line(): string {
    return `${this.attempts} attempts, ${this.rejected} rejected as expected, ${this.leaks} leaks, ${this.fiveXx} 5xx`;
  }
}

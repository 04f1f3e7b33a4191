import {
  type ErrorBody,
  type ErrorCode,
  type ErrorDetail,
  errorStatus,
  jsonProblems,
  jsonTextTooDeep,
  MAX_JSON_DEPTH,
  requestIdPattern,
} from "@ragkit/protocol";

/** An error that already knows its HTTP answer. Anything else that escapes a route becomes a 500. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: readonly ErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.code = code;
    this.status = errorStatus[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

const baseHeaders = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...baseHeaders, ...headers } });
}

export function errorResponse(error: HttpError, requestId: string): Response {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details && error.details.length > 0 ? { details: [...error.details] } : {}),
      requestId,
    },
  };
  return jsonResponse(error.status, body, error.headers);
}

/** Echo a caller's request id when it is short and plain; otherwise mint one. */
export function requestIdFor(request: Request): string {
  const incoming = request.headers.get("x-request-id");
  return incoming && requestIdPattern.test(incoming) ? incoming : crypto.randomUUID();
}

type Issue = { path: ReadonlyArray<PropertyKey>; message: string };

export function invalidInput(what: string, issues: readonly Issue[], prefix: string[] = []): HttpError {
  const details = issues.map((i) => ({
    path: [...prefix, ...i.path.map(String)].join(".") || "(root)",
    message: i.message,
  }));
  return new HttpError(
    "invalid_input",
    `Invalid ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
    {
      details,
    },
  );
}

function isJsonMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const [type = "", ...params] = contentType.split(";").map((p) => p.trim().toLowerCase());
  if (type !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) return false;
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice("charset=".length)
    .replace(/"/g, "");
  return charset === undefined || charset === "utf-8" || charset === "utf8";
}

export interface JsonBodyOptions {
  /** A body that is absent, empty or not JSON reads as `undefined` (a JSON body is still checked in full). */
  optional?: boolean;
}

/**
 * Reads a JSON body: 415 unless the content type is JSON (UTF-8), 413 as soon as more than `maxBytes` arrive
 * (the declared length is checked first, then the bytes actually streamed), 400 for bad UTF-8, bad JSON or
 * JSON no route may see (see `parseJsonText`).
 */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
  options: JsonBodyOptions = {},
): Promise<unknown> {
  if (!isJsonMediaType(request.headers.get("content-type"))) {
    if (options.optional) return undefined;
    throw new HttpError("unsupported_media_type", "Request body must be application/json (UTF-8).");
  }
  const tooLarge = () => new HttpError("payload_too_large", `Request body exceeds ${maxBytes} bytes.`);
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge();
  const bytes = await readLimited(request.body, maxBytes, tooLarge);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError("invalid_input", "Request body is not valid UTF-8.", {
      details: [{ path: "(body)", message: "not valid UTF-8" }],
    });
  }
  if (text.trim() === "") {
    if (options.optional) return undefined;
    throw new HttpError("invalid_input", "Request body is empty.", {
      details: [{ path: "(body)", message: "a JSON body is required" }],
    });
  }
  return parseJsonText(text, { what: "request body" });
}

/**
 * Parses JSON from a client, for every route: nesting beyond `MAX_JSON_DEPTH` is refused before parsing (a
 * deep value would overflow the stack of every recursive walk after it, `JSON.stringify` included), and the
 * parsed value must be storable everywhere — no NUL, no unpaired surrogate, no `__proto__` key, no number
 * beyond float range — so no route can accept what no table can hold. `field` names the value in errors
 * (a multipart field); `(body)` otherwise.
 */
export function parseJsonText(text: string, options: { what: string; field?: string }): unknown {
  const at = options.field ?? "(body)";
  const where = options.field ? `The ${options.field} field` : "Request body";
  if (jsonTextTooDeep(text, MAX_JSON_DEPTH)) {
    throw new HttpError("invalid_input", `${where} is nested deeper than ${MAX_JSON_DEPTH} levels.`, {
      details: [{ path: at, message: `nested deeper than ${MAX_JSON_DEPTH} levels` }],
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new HttpError("invalid_input", `${where} is not valid JSON.`, {
      details: [{ path: at, message: "not valid JSON" }],
    });
  }
  const problems = jsonProblems(value);
  if (problems.length > 0) throw invalidInput(options.what, problems, options.field ? [options.field] : []);
  return value;
}

export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  tooLarge: () => HttpError,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

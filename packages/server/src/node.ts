import type { IncomingMessage, ServerResponse } from "node:http";

/** Any Web-standard handler, such as the one `createRagHandler` returns. */
export type WebHandler = (request: Request) => Promise<Response>;

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Adapts a Web handler to `http.createServer`. Request bodies stream into the handler with backpressure and are
 * never buffered here; response bodies stream out chunk by chunk. When the client goes away, the `Request`'s
 * `signal` aborts and the response body is cancelled, so streaming work stops.
 *
 * Uses no Node runtime modules (types only), so importing it costs nothing on other runtimes.
 */
export function toNodeHandler(handler: WebHandler): NodeHandler {
  return adaptNode(handler, {});
}

/** How a framework's request differs from a bare `IncomingMessage` (used by the Express adapter). */
export interface NodeRequestHooks {
  /** The URL path and query to route on (Express strips its mount path from `req.url`). */
  url?: (req: IncomingMessage) => string;
  /** A body some earlier middleware already consumed (e.g. `express.json()`), re-encoded; null = read the stream. */
  consumedBody?: (req: IncomingMessage) => Uint8Array | null;
}

/** @internal The Node adapter with framework hooks. */
export function adaptNode(handler: WebHandler, hooks: NodeRequestHooks): NodeHandler {
  return async (req, res) => {
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new DOMException("The client disconnected.", "AbortError"));
    };
    res.once("close", onClose);
    const consumed = hasBody(req) ? (hooks.consumedBody?.(req) ?? null) : null;
    const body = hasBody(req) && !consumed ? toBodyStream(req) : null;
    const url = hooks.url?.(req) ?? req.url ?? "/";
    let response: Response;
    try {
      response = await handler(
        toWebRequest(req, url, controller.signal, consumed ? bytesStream(consumed) : (body?.stream ?? null), {
          reencoded: consumed !== null,
        }),
      );
    } catch (error) {
      console.error("[ragkit] handler threw:", error);
      const requestId = crypto.randomUUID();
      response = new Response(
        JSON.stringify({ error: { code: "internal_error", message: "Internal server error.", requestId } }),
        {
          status: 500,
          headers: { "content-type": "application/json; charset=utf-8", "x-request-id": requestId },
        },
      );
    }
    try {
      await writeWebResponse(req, res, response, controller.signal);
    } finally {
      res.off("close", onClose);
      // Whatever of the request body the handler did not read is drained (as Node does for unread bodies), so
      // the keep-alive connection stays usable for the next request.
      body?.discard();
    }
  };
}

function hasBody(req: IncomingMessage): boolean {
  return req.method !== "GET" && req.method !== "HEAD" && req.method !== undefined;
}

function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function toWebRequest(
  req: IncomingMessage,
  path: string,
  signal: AbortSignal,
  body: ReadableStream<Uint8Array> | null,
  options: { reencoded: boolean },
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  // A re-encoded body no longer has the length (or transfer encoding) the client declared.
  if (options.reencoded) {
    headers.delete("content-length");
    headers.delete("transfer-encoding");
  }
  const method = req.method ?? "GET";
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const url = new URL(path, `${encrypted ? "https" : "http"}://${safeHost(req.headers.host)}`);
  return new Request(url, {
    method,
    headers,
    signal,
    ...(body ? { body, duplex: "half" } : {}),
  } as RequestInit);
}

function safeHost(host: string | undefined): string {
  return host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)
    ? host
    : "localhost";
}

/**
 * A pull-based stream over the request: nothing is read until the handler reads (high-water mark 0), and the
 * socket is paused between reads, so a slow handler applies backpressure to the client.
 */
function toBodyStream(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; discard(): void } {
  let started = false;
  let finished = false;
  const discard = () => {
    if (finished && req.complete) return;
    finished = true;
    if (!req.complete && !req.destroyed) req.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!started) {
          started = true;
          req.on("data", (chunk: Buffer) => {
            if (finished) return;
            controller.enqueue(new Uint8Array(chunk));
            if ((controller.desiredSize ?? 0) <= 0) req.pause();
          });
          req.once("end", () => {
            if (finished) return;
            finished = true;
            controller.close();
          });
          req.once("error", (error) => {
            if (finished) return;
            finished = true;
            controller.error(error);
          });
          req.once("close", () => {
            if (finished) return;
            finished = true;
            controller.error(new DOMException("The client disconnected.", "AbortError"));
          });
        }
        req.resume();
      },
      // The handler stopped reading (e.g. 413): drop the rest so the response can still be delivered.
      cancel: discard,
    },
    { highWaterMark: 0 },
  );
  return { stream, discard };
}

async function writeWebResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
  signal: AbortSignal,
): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);

  const body = response.body;
  if (!body || req.method === "HEAD") {
    await body?.cancel().catch(() => {});
    res.end();
    return;
  }
  // Event streams must reach the client before the first event does.
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) res.flushHeaders();

  const reader = body.getReader();
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      // The socket can be gone before its "close" event aborts the signal: stop here and cancel below.
      if (res.destroyed) break;
      if (!res.write(value)) await drained(res, signal);
    }
    if (!res.destroyed) res.end();
  } catch (error) {
    // The body stream failed mid-way: the status line is gone, so all we can do is cut the connection.
    if (!signal.aborted) console.error("[ragkit] response body failed:", error);
    res.destroy();
  } finally {
    signal.removeEventListener("abort", onAbort);
    // Whatever ended the loop early (disconnect, write error), the producer must stop too.
    if (!finished) await reader.cancel(signal.reason).catch(() => {});
    reader.releaseLock();
  }
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

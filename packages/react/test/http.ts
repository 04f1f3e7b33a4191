import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { toNodeHandler, type WebHandler } from "@ragkit/server";
import type { FetchLike } from "../src/headless.js";

export interface Served {
  url: string;
  server: Server;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Served> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** The real RagKit handler behind a real HTTP server on 127.0.0.1. */
export function serveHandler(handler: WebHandler): Promise<Served> {
  return listen(createServer(toNodeHandler(handler)));
}

/** A plain node:http server (for replaying recorded event sequences). */
export function serveNode(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  return listen(createServer(listener));
}

/**
 * A pass-through proxy that can cut a response after N SSE frames (a dropped connection mid-stream), to test
 * resume with Last-Event-ID against the real server.
 */
export function serveDroppingProxy(target: string, cut: (req: IncomingMessage) => number | null) {
  const seen: Array<{
    method: string;
    path: string;
    lastEventId: string | null;
    authorization: string | null;
  }> = [];
  const served = serveNode((req, res) => {
    seen.push({
      method: req.method ?? "",
      path: req.url ?? "",
      lastEventId: (req.headers["last-event-id"] as string | undefined) ?? null,
      authorization: (req.headers.authorization as string | undefined) ?? null,
    });
    const after = cut(req);
    const upstream = httpRequest(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        let frames = 0;
        let pending = "";
        up.on("data", (chunk: Buffer) => {
          if (after === null) {
            res.write(chunk);
            return;
          }
          pending += chunk.toString("utf8");
          let end = pending.indexOf("\n\n");
          while (end >= 0 && frames < after) {
            res.write(pending.slice(0, end + 2));
            pending = pending.slice(end + 2);
            // Comment frames (heartbeats) do not count.
            if (!pending.startsWith(":")) frames += 1;
            end = pending.indexOf("\n\n");
          }
          if (frames >= after) {
            up.destroy();
            // Cut only after what was written reached the socket: the client sees a body that breaks mid-stream.
            res.write("", () => res.socket?.destroy());
          }
        });
        up.on("end", () => res.end());
      },
    );
    req.pipe(upstream);
  });
  return served.then((s) => Object.assign(s, { seen }));
}

/**
 * Node's fetch for tests under jsdom: jsdom installs its own AbortSignal, which Node's fetch rejects. The signal
 * is honoured where it matters for the hooks: before the response (throw) and while reading (they cancel the body).
 */
export const nodeFetch: FetchLike = async (input, init) => {
  const { signal, ...rest } = init;
  signal?.throwIfAborted();
  const response = await fetch(input, rest as RequestInit);
  if (signal?.aborted) {
    await response.body?.cancel().catch(() => undefined);
    throw signal.reason;
  }
  return response;
};

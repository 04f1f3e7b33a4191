import http from "node:http";
import type { AddressInfo } from "node:net";
import type { HostResolver } from "../../src/net/policy.js";

/** A public address for injected resolvers. Never connected to: every test that uses it expects a refusal. */
export const PUBLIC = "93.184.215.14";

export interface TestServer {
  origin: string;
  port: number;
  /** TCP connections accepted so far: a refused connection must never increment it. */
  readonly connections: number;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

/** A real HTTP server on a loopback address (port 0 = any free one), counting connections and requests. */
/**
 * Two servers on one port: `first` on `hostA` (any free port), then `second` on `hostB` at the same port. The
 * port is free on `hostA` only when it was picked; another process may hold it on `hostB`, so a few ports are
 * tried (bounded).
 */
export async function serveTwins(
  hostA: string,
  first: Parameters<typeof serve>[1],
  hostB: string,
  second: Parameters<typeof serve>[1],
): Promise<[TestServer, TestServer]> {
  for (let attempt = 0; ; attempt++) {
    const a = await serve(hostA, first);
    try {
      return [a, await serve(hostB, second, a.port)];
    } catch (error) {
      await a.close();
      if ((error as { code?: unknown }).code !== "EADDRINUSE" || attempt >= 9) throw error;
    }
  }
}

export async function serve(
  host: string,
  handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
  port = 0,
): Promise<TestServer> {
  const state = { connections: 0, requests: [] as TestServer["requests"] };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      state.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handle(req, res, body);
    });
  });
  server.on("connection", () => state.connections++);
  // A port taken by someone else (EADDRINUSE) rejects instead of leaving the test waiting for "listening".
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${bound}`,
    port: bound,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A resolver answering each name from a script of successive answers (the last one repeats); other names are
 * unknown (ENOTFOUND). Records every call. Never DNS.
 */
export function scripted(script: Record<string, string[][]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const seen = new Map<string, number>();
  const resolve = async (name: string) => {
    calls.push(name);
    const answers = script[name];
    if (!answers) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    const answer = answers[Math.min(n, answers.length - 1)] ?? [];
    return answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

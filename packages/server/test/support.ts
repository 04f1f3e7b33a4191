import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { vi } from "vitest";
import { toNodeHandler, type WebHandler } from "../src/index.js";

export interface Served {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves a Web handler through the Node adapter on 127.0.0.1 with an ephemeral port. */
export async function serve(handler: WebHandler): Promise<Served> {
  const server = createServer(toNodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * `vi.waitFor` with a hang guard instead of its 1 s default: polls until `check` passes. The default made a
 * run that needs more than a second on a loaded machine (or over a real Postgres pool) a failure: a timed
 * assertion. The test timeout still bounds the wait.
 */
export function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 30_000, interval: 25 });
}

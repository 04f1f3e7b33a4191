import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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

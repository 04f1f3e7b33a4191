import { readFileSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";
import type { SqlDriver } from "../../src/db/driver.js";
import { createPgDriver } from "../../src/db/pg.js";
import { createPGliteDriver } from "../../src/db/pglite.js";

export type DriverKind = "pglite" | "pg-socket";
export const driverKinds: DriverKind[] = ["pglite", "pg-socket"];

export interface TestDatabase {
  kind: DriverKind;
  driver: SqlDriver;
  /** The PGlite behind either driver: used by tests that need the superuser/owner view. */
  pglite: PGlite;
  stop(): Promise<void>;
}

export async function newPGlite(): Promise<PGlite> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const template = inject("pgliteTemplate");
  return PGlite.create({
    extensions: { vector },
    ...(template ? { loadDataDir: new Blob([readFileSync(template)]) } : {}),
  });
}

/**
 * (a) PGlite in-process, or (b) the `pg` driver over a real wire-protocol connection to PGlite served by
 * @electric-sql/pglite-socket on 127.0.0.1. PGlite is one session, so the socket server takes one
 * connection and the pool has max 1.
 */
export async function startDatabase(kind: DriverKind): Promise<TestDatabase> {
  const pglite = await newPGlite();
  if (kind === "pglite") {
    const driver = await createPGliteDriver({ instance: pglite });
    return { kind, driver, pglite, stop: () => pglite.close() };
  }
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.split(":").at(-1));
  const driver = await createPgDriver({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    poolConfig: { max: 1, idleTimeoutMillis: 0 },
  });
  return {
    kind,
    driver,
    pglite,
    stop: async () => {
      await driver.close();
      await server.stop();
      await pglite.close();
    },
  };
}

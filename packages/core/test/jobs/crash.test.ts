import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPGliteDriver } from "../../src/db/pglite.js";
import { IngestionQueue } from "../../src/jobs/queue.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { driverKinds, newPGlite, openStore, startDatabase, type TestDatabase } from "../support/databases.js";

const dist = join(import.meta.dirname, "..", "..", "dist", "index.js");

interface World {
  store: KnowledgeStore;
  /** What the child process connects to, and whether it may migrate there. */
  childUrl: string;
  childMigrates: boolean;
  stop(): Promise<void>;
}

/**
 * The child needs its own wire connection: PGlite served by pglite-socket (several connections multiplexed onto
 * the one session), or the real server, where the child logs in as the runtime role like any replica.
 */
async function world(kind: "pg-socket" | "postgres"): Promise<World> {
  if (kind === "postgres") {
    const db: TestDatabase = await startDatabase("postgres");
    return { store: await openStore(db), childUrl: db.urls!.runtime, childMigrates: false, stop: db.stop };
  }
  const pglite = await newPGlite();
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0 });
  await server.start();
  const port = server.getServerConn().split(":").at(-1);
  return {
    store: await KnowledgeStore.open({ driver: await createPGliteDriver({ instance: pglite }) }),
    childUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    childMigrates: true,
    stop: async () => {
      await server.stop();
      await pglite.close();
    },
  };
}

const wireKinds = driverKinds.filter((k): k is "pg-socket" | "postgres" => k !== "pglite");

describe.each(wireKinds)("crash safety (%s)", (kind) => {
  let w: World;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(dist))
      throw new Error("This test runs a child process on the built package: run `npm run build` first.");
    w = await world(kind);
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await w?.stop();
  });

  it("a job whose worker process is killed mid-run is taken over and completed", async () => {
    const { store } = w;
    const ctx = createTenantContext({ tenantId: "crash", userId: "u" });
    await store.ensureTenant(ctx);
    const queue = new IngestionQueue(store, { workerId: "survivor", leaseMs: 1500 });
    const job = await queue.enqueue(ctx, {
      data: new TextEncoder().encode("Survives a SIGKILL."),
      filename: "k.txt",
    });

    child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, "crash-child.mjs"),
        w.childUrl,
        "1500",
        w.childMigrates ? "migrate" : "verify",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("child never reached embedding")), 60_000);
      child!.stdout!.on("data", (b: Buffer) => {
        if (b.toString().includes("EMBEDDING")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.on("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const mid = await queue.get(ctx, job.id);
    expect(mid).toMatchObject({ state: "embedding", attempts: 1 });
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));

    // While the dead worker's lease is alive nobody may take the job; after it expires, we do.
    expect(await queue.runOnce()).toBeNull();
    await new Promise((r) => setTimeout(r, 1700));
    const final = await queue.runOnce();
    expect(final).toMatchObject({ id: job.id, state: "done", attempts: 2 });
    expect((await store.search(ctx, { query: "SIGKILL", mode: "lexical" }))[0]?.documentId).toBe(
      final!.documentId,
    );
  });
});

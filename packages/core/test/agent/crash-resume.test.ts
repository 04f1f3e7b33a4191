import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRagAgent } from "../../src/agent/graph.js";
import { createPGliteDriver } from "../../src/db/pglite.js";
import { ingestDocument } from "../../src/ingest/pipeline.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import { ACME_DOCS } from "./fixtures.js";

const dist = join(import.meta.dirname, "..", "..", "dist", "index.js");
const acme = createTenantContext({ tenantId: "acme", userId: "alice", source: "crash-test" });
const QUESTION = "What is the refund window for annual plans?";

async function openStore(dataDir: string) {
  const driver = await createPGliteDriver({ dataDir });
  return { driver, store: await KnowledgeStore.open({ driver }) };
}

describe("agent crash-resume on a PGlite data directory", () => {
  let dir: string | undefined;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill("SIGKILL");
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a run killed (SIGKILL) while the answer streams continues from its last checkpoint in a new process", async () => {
    if (!existsSync(dist))
      throw new Error("This test runs a child process on the built package: run `npm run build` first.");
    dir = await mkdtemp(join(tmpdir(), "ragkit-agent-crash-"));
    const dataDir = join(dir, "pgdata");
    {
      const { driver, store } = await openStore(dataDir);
      await store.ensureTenant(acme);
      for (const [filename, text] of Object.entries(ACME_DOCS)) {
        await ingestDocument(store, acme, { data: Buffer.from(text), filename });
      }
      await store.close();
      await driver.close();
    }

    const threadId = "crash-thread";
    child = spawn(
      process.execPath,
      [join(import.meta.dirname, "crash-agent-child.mjs"), dataDir, threadId, QUESTION],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the child never reached generate")), 60_000);
      child!.stdout!.on("data", (b: Buffer) => {
        seen.push(b.toString());
        if (b.toString().includes("GENERATING")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.on("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill("SIGKILL");
    const exit = await new Promise<NodeJS.Signals | null>((r) =>
      child!.once("exit", (_c, signal) => r(signal)),
    );
    expect(exit).toBe("SIGKILL");
    expect(seen.join("")).not.toContain("run_finished");

    const { driver, store } = await openStore(dataDir);
    try {
      const agent = createRagAgent({ store });
      // The dead process's finished steps are checkpointed; generate is what is left to run.
      const [latest] = await agent.listCheckpoints(acme, threadId, { limit: 1 });
      expect(latest?.next).toEqual(["generate"]);
      const events = [];
      for await (const e of agent.continue({ tenant: acme, threadId })) events.push(e);
      const steps = events.filter((e) => e.type === "step_started").map((e) => e.step);
      expect(steps).toEqual(["generate", "validate"]);
      const done = events.at(-1);
      expect(done).toMatchObject({ type: "run_finished", status: "completed", answerKind: "extractive" });
      if (done?.type !== "run_finished") return;
      expect(done.answer).toContain("refunded in full within 30 days");
      expect(done.validation?.status).toBe("supported");
      const history = await agent.getMessages(acme, threadId);
      expect(history.map((t) => t.role)).toEqual(["user", "assistant"]);
    } finally {
      await store.close();
      await driver.close();
    }
  }, 120_000);
});

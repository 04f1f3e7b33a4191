/**
 * createRagKit: one call wires a store, the ingestion queue, the agent, the run store and connectors on one
 * database, and close() shuts them down in order. In-memory PGlite (the default database).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createRagKit, type RagKit } from "../../src/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";

const acme = createTenantContext({ tenantId: "kit-acme", userId: "u1", source: "cli" });
const POLICY =
  "Refunds for annual plans are accepted within 30 days of purchase. Monthly plans are not refunded.";

const open: RagKit[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kit) => kit.close()));
});

describe("createRagKit", () => {
  it("ingests through the queue, answers through the agent, and records runs on the same store", async () => {
    const kit = await createRagKit({ ingestion: { pollIntervalMs: 20 } });
    open.push(kit);
    await kit.store.ensureTenant(acme);
    kit.ingestion.startWorker();
    const job = await kit.ingestion.enqueue(acme, {
      data: new TextEncoder().encode(POLICY),
      filename: "refunds.txt",
    });
    const done = await kit.ingestion.wait(acme, job.id, { signal: AbortSignal.timeout(30_000) });
    expect(done.state).toBe("done");

    const hits = await kit.store.search(acme, { query: "refund annual plan" });
    expect(hits[0]?.text).toContain("30 days");

    const result = await kit.agent.run("What is the refund window for annual plans?", { tenant: acme });
    expect(result.answer).toContain("30 days");
    expect(result.citations.map((c) => c.documentId)).toContain(hits[0]?.documentId);

    const run = await kit.runs.createRun(acme, { threadId: result.threadId, owner: "kit-test" });
    expect((await kit.runs.getRun(acme, run.id))?.threadId).toBe(result.threadId);
    expect(await kit.connectors.list(acme)).toEqual([]);
    expect(kit.connectors.queue).toBe(kit.ingestion);
  });

  it("close() stops the workers and closes a store it opened; a store passed in stays open", async () => {
    const owned = await createRagKit();
    owned.ingestion.startWorker({ concurrency: 2 });
    await owned.close();
    await owned.close(); // idempotent
    await expect(owned.store.search(acme, { query: "x" })).rejects.toThrow();

    const store = await KnowledgeStore.open();
    try {
      const kit = await createRagKit({ store });
      expect(kit.store).toBe(store);
      kit.ingestion.startWorker();
      await kit.close();
      await store.ensureTenant(acme);
      expect(await store.search(acme, { query: "anything" })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("rejects bad options before it opens anything, with the part's own typed error", async () => {
    const store = await KnowledgeStore.open();
    try {
      await expect(createRagKit({ store, database: "memory://" })).rejects.toMatchObject({
        code: "config_error",
        message: expect.stringContaining("database"),
      });
      await expect(createRagKit({ store, ingestion: { leaseMs: 1 } })).rejects.toMatchObject({
        code: "invalid_input",
      });
    } finally {
      await store.close();
    }
  });
});

import { ERROR, emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TenantCheckpointSaver } from "../../src/agent/checkpointer.js";
import { type AgentEvent, type AgentEventOf, agentEventSchema } from "../../src/agent/events.js";
import { type AgentStore, createRagAgent, type RagAgentOptions } from "../../src/agent/graph.js";
import { NO_ANSWER, offlineAnswer, offlineRewrite } from "../../src/agent/offline.js";
import { ingestDocument } from "../../src/ingest/pipeline.js";
import type { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import {
  type DriverKind,
  driverKinds,
  openStore,
  startDatabase,
  type TestDatabase,
} from "../support/databases.js";
import { ACME_DOCS, GLOBEX_DOCS } from "./fixtures.js";

describe.each(driverKinds)("durable agent (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  const acme = createTenantContext({ tenantId: "acme", userId: "alice", source: "test" });
  const globex = createTenantContext({ tenantId: "globex", userId: "bob", source: "test" });

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await openStore(db);
    for (const [ctx, docs] of [
      [acme, ACME_DOCS],
      [globex, GLOBEX_DOCS],
    ] as const) {
      await store.ensureTenant(ctx);
      for (const [filename, text] of Object.entries(docs)) {
        await ingestDocument(store, ctx, { data: Buffer.from(text), filename });
      }
    }
  });

  afterAll(async () => {
    await store?.close();
    await db?.stop();
  });

  async function collect(stream: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
    const events: AgentEvent[] = [];
    for await (const e of stream) {
      expect(agentEventSchema.safeParse(e).success).toBe(true);
      events.push(e);
    }
    return events;
  }
  const of = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
    events.filter((e): e is AgentEventOf<T> => e.type === type);
  const finished = (events: AgentEvent[]) => {
    const last = events.at(-1);
    expect(last?.type).toBe("run_finished");
    return last as AgentEventOf<"run_finished">;
  };

  /** The store with counters on search and on the models, to prove which steps ran. */
  function counted(extra: Partial<RagAgentOptions> = {}) {
    const calls = { rewrite: 0, answer: 0, searches: [] as string[] };
    const counting: AgentStore & Pick<KnowledgeStore, "withTenant" | "schema"> = {
      search: (ctx, input) => {
        calls.searches.push(input.query);
        return store.search(ctx, input);
      },
      withTenant: (ctx, fn) => store.withTenant(ctx, fn),
      schema: store.schema,
    };
    const options: RagAgentOptions = {
      store: counting,
      ...extra,
      models: {
        rewrite: (input) => {
          calls.rewrite++;
          return offlineRewrite(input);
        },
        answer: (input) => {
          calls.answer++;
          return offlineAnswer(input);
        },
        ...extra.models,
      },
    };
    return { calls, options };
  }

  describe("TenantCheckpointSaver", () => {
    const saver = () => new TenantCheckpointSaver(store);
    const cfg = (tenant: TenantContext, thread: string, checkpointId?: string) => ({
      configurable: {
        tenant,
        thread_id: thread,
        checkpoint_ns: "",
        ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
      },
    });
    const checkpoint = (id: string, value: unknown) => ({
      ...emptyCheckpoint(),
      id,
      channel_values: { x: value },
    });
    const meta = (step: number) => ({ source: "loop" as const, step, parents: {} });

    it("puts, gets, lists (newest first, before, limit, filter), keeps parents and pending writes", async () => {
      const s = saver();
      const c1 = await s.put(cfg(acme, "t-saver"), checkpoint("0001", 1), meta(0), {});
      const c2 = await s.put(
        { configurable: { ...c1.configurable, tenant: acme } },
        checkpoint("0002", 2),
        meta(1),
        {},
      );
      await s.put(
        { configurable: { ...c2.configurable, tenant: acme } },
        checkpoint("0003", { bytes: new Uint8Array([1, 2]) }),
        meta(2),
        {},
      );
      expect(c2.configurable).toEqual({ thread_id: "t-saver", checkpoint_ns: "", checkpoint_id: "0002" });

      const latest = await s.getTuple(cfg(acme, "t-saver"));
      expect(latest?.checkpoint.id).toBe("0003");
      expect(latest?.checkpoint.channel_values.x).toEqual({ bytes: new Uint8Array([1, 2]) });
      expect(latest?.parentConfig?.configurable?.checkpoint_id).toBe("0002");
      expect(latest?.metadata).toMatchObject({ source: "loop", step: 2 });
      const first = await s.getTuple(cfg(acme, "t-saver", "0001"));
      expect(first?.checkpoint.channel_values.x).toBe(1);
      expect(first?.parentConfig).toBeUndefined();
      expect(await s.getTuple(cfg(acme, "t-saver", "9999"))).toBeUndefined();

      const ids = async (options?: Parameters<typeof s.list>[1]) => {
        const out: string[] = [];
        for await (const t of s.list(cfg(acme, "t-saver"), options)) out.push(t.checkpoint.id);
        return out;
      };
      expect(await ids()).toEqual(["0003", "0002", "0001"]);
      expect(await ids({ limit: 2 })).toEqual(["0003", "0002"]);
      expect(await ids({ before: { configurable: { checkpoint_id: "0003" } } })).toEqual(["0002", "0001"]);
      expect(await ids({ before: { configurable: { checkpoint_id: "0003" } }, limit: 1 })).toEqual(["0002"]);
      expect(await ids({ filter: { step: 1 } })).toEqual(["0002"]);

      // Pending writes come back in writesSortKey order (task path, task id, idx); regular writes are first-wins.
      const at2 = { configurable: { ...c2.configurable, tenant: acme } };
      await s.putWrites(
        at2,
        [
          ["b", "task-b-0"],
          ["b2", "task-b-1"],
        ],
        "task-b",
        "~path-2",
      );
      await s.putWrites(at2, [["a", { n: 1 }]], "task-a", "~path-1");
      await s.putWrites(at2, [["a", "ignored duplicate"]], "task-a", "~path-1");
      const withWrites = await s.getTuple(cfg(acme, "t-saver", "0002"));
      expect(withWrites?.pendingWrites).toEqual([
        ["task-a", "a", { n: 1 }],
        ["task-b", "b", "task-b-0"],
        ["task-b", "b2", "task-b-1"],
      ]);
      // One call with regular and special writes (one statement per conflict rule): a special channel's
      // write is replaced by a later one, also within the same call; regular writes stay first-wins.
      await s.putWrites(
        at2,
        [
          ["c", "task-c-0"],
          [ERROR, "first error"],
          [ERROR, "second error"],
        ],
        "task-c",
        "~path-3",
      );
      await s.putWrites(
        at2,
        [
          ["c", "ignored"],
          [ERROR, "third error"],
        ],
        "task-c",
        "~path-3",
      );
      const mixed = await s.getTuple(cfg(acme, "t-saver", "0002"));
      expect(mixed?.pendingWrites?.filter(([task]) => task === "task-c")).toEqual([
        ["task-c", ERROR, "third error"],
        ["task-c", "c", "task-c-0"],
      ]);
      await expect(s.putWrites(cfg(acme, "t-saver"), [["a", 1]], "t")).rejects.toThrow(/checkpoint_id/);

      await s.deleteThread("t-saver", acme);
      expect(await s.getTuple(cfg(acme, "t-saver"))).toBeUndefined();
      expect(await ids()).toEqual([]);
    });

    it("refuses calls without a TenantContext (never 'all tenants')", async () => {
      const s = saver();
      await expect(s.getTuple({ configurable: { thread_id: "t" } })).rejects.toMatchObject({
        code: "invalid_input",
      });
      await expect(
        s.getTuple({
          configurable: { thread_id: "t", tenant: { tenantId: "acme", userId: null, source: "forged" } },
        }),
      ).rejects.toMatchObject({ code: "invalid_input" });
      await expect(
        s.put({ configurable: { thread_id: "t" } }, checkpoint("1", 1), meta(0), {}),
      ).rejects.toThrow(/TenantContext/);
      await expect(s.deleteThread("t")).rejects.toThrow(/TenantContext/);
      const list = s.list({ configurable: {} });
      await expect(list.next()).rejects.toThrow(/TenantContext/);
    });

    it("deleting a tenant deletes its checkpoints", async () => {
      const initech = createTenantContext({ tenantId: "initech", userId: null, source: "test" });
      await store.ensureTenant(initech);
      const put = await saver().put(cfg(initech, "t"), checkpoint("0001", 1), meta(0), {});
      await saver().putWrites({ configurable: { ...put.configurable, tenant: initech } }, [["x", 1]], "task");
      const owned = async () => {
        const rows = await db.owner.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM ragkit.agent_checkpoints WHERE tenant_id = 'initech')
              + (SELECT count(*) FROM ragkit.agent_checkpoint_writes WHERE tenant_id = 'initech') AS n`,
        );
        return Number(rows[0]!.n);
      };
      expect(await owned()).toBe(2);
      await store.deleteTenant(initech);
      expect(await owned()).toBe(0);
    });

    it("isolates tenants by RLS: same thread id, B sees and deletes nothing of A's", async () => {
      const s = saver();
      const put = await s.put(cfg(acme, "shared-thread"), checkpoint("0001", "acme secret"), meta(0), {});
      await s.putWrites(
        { configurable: { ...put.configurable, tenant: acme } },
        [["x", "acme write"]],
        "task",
      );
      expect(await s.getTuple(cfg(globex, "shared-thread"))).toBeUndefined();
      expect(await s.getTuple(cfg(globex, "shared-thread", "0001"))).toBeUndefined();
      const listed: unknown[] = [];
      for await (const t of s.list({ configurable: { tenant: globex } })) listed.push(t);
      expect(listed).toEqual([]);
      await s.deleteThread("shared-thread", globex);
      expect((await s.getTuple(cfg(acme, "shared-thread")))?.checkpoint.channel_values.x).toBe("acme secret");

      // Raw SQL as the app role in B's context: no rows, no way to write rows for A.
      const count = (ctx: TenantContext) =>
        store.withTenant(ctx, async (tx) => {
          const [c] = await tx.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM ragkit.agent_checkpoints",
          );
          const [w] = await tx.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM ragkit.agent_checkpoint_writes",
          );
          return [c!.n, w!.n];
        });
      const [aCheckpoints, aWrites] = await count(acme);
      expect(aCheckpoints).toBeGreaterThan(0);
      expect(aWrites).toBeGreaterThan(0);
      const before = await count(globex);
      await expect(
        store.withTenant(globex, (tx) =>
          tx.query(
            `INSERT INTO ragkit.agent_checkpoints (tenant_id, thread_id, checkpoint_id, checkpoint_type, checkpoint,
             metadata_type, metadata) VALUES ('acme', 'shared-thread', '0002', 'json', '\\x00', 'json', '\\x00')`,
          ),
        ),
      ).rejects.toThrow(/row-level security/);
      await store.withTenant(globex, async (tx) => {
        await tx.query(
          "UPDATE ragkit.agent_checkpoints SET metadata = '\\x00' WHERE thread_id = 'shared-thread'",
        );
        await tx.query("DELETE FROM ragkit.agent_checkpoint_writes");
      });
      expect(await count(globex)).toEqual(before);
      expect(await count(acme)).toEqual([aCheckpoints, aWrites]);
    });
  });

  describe("durable agent threads", () => {
    it("thread history survives a new agent instance on the same store (restart)", async () => {
      const threadId = "restart-1";
      const first = createRagAgent({ store });
      await first.run("What is the refund window for annual plans?", { tenant: acme, threadId });
      const restarted = createRagAgent({ store });
      expect((await restarted.getMessages(acme, threadId)).map((t) => t.role)).toEqual(["user", "assistant"]);
      const followUp = await restarted.run("And what about monthly plans?", { tenant: acme, threadId });
      expect(of(followUp.events, "thought").map((e) => e.text)).toContain(
        "It follows up on the previous question.",
      );
      expect(followUp.answer).toContain("Monthly plans are not refundable");
      expect(await restarted.getMessages(globex, threadId)).toEqual([]);
      expect(await restarted.listCheckpoints(globex, threadId)).toEqual([]);
      await restarted.deleteThread(globex, threadId); // another tenant's delete touches nothing
      expect(await first.getMessages(acme, threadId)).toHaveLength(4);
      await restarted.deleteThread(acme, threadId);
      expect(await first.getMessages(acme, threadId)).toEqual([]);
      expect(await first.listCheckpoints(acme, threadId)).toEqual([]);
    });

    it("a run reads its thread's checkpoint once: the graph's loop reuses the agent's own read", async () => {
      const reads: string[] = [];
      const watched: Pick<KnowledgeStore, "withTenant" | "schema"> = {
        schema: store.schema,
        withTenant: (ctx, fn) =>
          store.withTenant(ctx, (tx) =>
            fn({
              exec: (sql) => tx.exec(sql),
              query: (sql, params) => {
                if (/FROM \S+\.agent_checkpoints WHERE thread_id/.test(sql)) {
                  reads.push(sql.includes("checkpoint_id = $3") ? "at" : "latest");
                }
                return tx.query(sql, params);
              },
            }),
          ),
      };
      const agent = createRagAgent({ store, checkpointer: new TenantCheckpointSaver(watched) });
      const threadId = "one-read-1";
      await agent.run("What is the refund window for annual plans?", { tenant: acme, threadId });
      expect(reads).toEqual(["latest"]);
      reads.length = 0;
      // The second turn starts from the first turn's last checkpoint (the memo did not serve a stale one).
      const followUp = await agent.run("And what about monthly plans?", { tenant: acme, threadId });
      expect(reads).toEqual(["latest"]);
      expect(of(followUp.events, "thought").map((e) => e.text)).toContain(
        "It follows up on the previous question.",
      );
      expect(await agent.getMessages(acme, threadId)).toHaveLength(4);
      // Another agent's turn in between (another replica) is seen by the next run: each run reads afresh.
      await createRagAgent({ store }).run("How long does standard shipping take?", {
        tenant: acme,
        threadId,
      });
      reads.length = 0;
      await agent.run("Thanks", { tenant: acme, threadId });
      expect(reads).toEqual(["latest"]);
      expect(await agent.getMessages(acme, threadId)).toHaveLength(8);
    });

    it("needs an explicit checkpointer when the store cannot hold checkpoints", () => {
      expect(() => createRagAgent({ store: { search: store.search.bind(store) } })).toThrow(/checkpointer/);
    });
  });

  describe("human-in-the-loop approval", () => {
    it("pauses before retrieval, survives a restart, and resumes on approval", async () => {
      const threadId = "approve-1";
      const a = counted({ requireApprovalFor: ["retrieve"] });
      const events = await collect(
        createRagAgent(a.options).stream("How long does standard shipping take?", { tenant: acme, threadId }),
      );
      const interrupt = of(events, "interrupt")[0]!;
      expect(interrupt.interrupt).toMatchObject({
        kind: "approval",
        tool: "retrieve",
        reason: expect.any(String),
      });
      expect((interrupt.interrupt.args as { queries: string[] }).queries.length).toBeGreaterThan(0);
      expect(finished(events)).toMatchObject({ status: "interrupted", answer: "", answerKind: "none" });
      expect(events.indexOf(interrupt)).toBe(events.length - 2);
      expect(a.calls.searches).toEqual([]);

      // Another process (a new agent on the same store) sees the request in the checkpoint and resumes it.
      const b = counted({ requireApprovalFor: ["retrieve"] });
      const other = createRagAgent(b.options);
      expect(await other.getPendingInterrupt(acme, threadId)).toEqual(interrupt.interrupt);
      expect(await other.getPendingInterrupt(globex, threadId)).toBeNull();
      const resumed = await collect(other.resume({ tenant: acme, threadId, decision: { type: "approve" } }));
      const done = finished(resumed);
      expect(done.status).toBe("completed");
      expect(done.answer).toContain("Standard shipping takes 3 to 5 business days");
      // Resume re-ran only retrieve onwards: no second rewrite; the searches happened after approval.
      expect(b.calls.rewrite).toBe(0);
      expect(b.calls.searches.length).toBeGreaterThan(0);
      // Only the approval gate and the steps after it run on resume.
      expect(
        of(resumed, "step_started")
          .map((e) => e.step)
          .slice(0, 2),
      ).toEqual(["approve", "retrieve"]);
      expect(await other.getPendingInterrupt(acme, threadId)).toBeNull();

      // Nothing pending any more: resume is a conflict.
      const again = await collect(other.resume({ tenant: acme, threadId, decision: { type: "approve" } }));
      expect(again.at(-1)).toMatchObject({ type: "run_error", code: "conflict" });
      // Another tenant with the same thread id has nothing to resume.
      const foreign = await collect(
        other.resume({ tenant: globex, threadId, decision: { type: "approve" } }),
      );
      expect(foreign.at(-1)).toMatchObject({ type: "run_error", code: "conflict" });
    });

    it("edit replaces the searched queries; invalid edits are refused and keep the request pending", async () => {
      const threadId = "edit-1";
      const { calls, options } = counted({ requireApprovalFor: ["retrieve"] });
      const agent = createRagAgent(options);
      const first = await agent.run("Tell me about refunds", { tenant: acme, threadId });
      expect(first.status).toBe("interrupted");
      expect(first.interrupt?.tool).toBe("retrieve");

      const bad = await collect(
        agent.resume({ tenant: acme, threadId, decision: { type: "edit", args: { queries: [] } } }),
      );
      expect(bad.at(-1)).toMatchObject({ type: "run_error", code: "invalid_input" });
      const unknown = await collect(
        agent.resume({ tenant: acme, threadId, decision: { type: "maybe" } as never }),
      );
      expect(unknown.at(-1)).toMatchObject({ type: "run_error", code: "invalid_input" });
      expect(await agent.getPendingInterrupt(acme, threadId)).not.toBeNull();

      const edited = await collect(
        agent.resume({
          tenant: acme,
          threadId,
          decision: { type: "edit", args: { queries: ["How long does standard shipping take?"] } },
        }),
      );
      expect(calls.searches).toEqual(["How long does standard shipping take?"]);
      expect(finished(edited).status).toBe("completed");
      expect(finished(edited).citations.length).toBeGreaterThan(0);
    });

    it("reject skips the search and answers that nothing was found", async () => {
      const threadId = "reject-1";
      const { calls, options } = counted({ requireApprovalFor: ["retrieve"] });
      const agent = createRagAgent(options);
      await agent.run("Is customer data encrypted?", { tenant: acme, threadId });
      const rejected = await collect(
        agent.resume({ tenant: acme, threadId, decision: { type: "reject", reason: "not now" } }),
      );
      expect(calls.searches).toEqual([]);
      expect(of(rejected, "thought").map((e) => e.text)).toContain("The search was not approved: not now");
      expect(finished(rejected)).toMatchObject({ status: "completed", answer: NO_ANSWER });
    });
  });

  describe("time travel and crash-resume", () => {
    it("lists checkpoints, reads the state at one, and forks from it", async () => {
      const threadId = "travel-1";
      const agent = createRagAgent({ store });
      const original = await agent.run("What is the refund window for annual plans?", {
        tenant: acme,
        threadId,
      });
      const checkpoints = await agent.listCheckpoints(acme, threadId);
      expect(checkpoints.map((c) => c.node)).toEqual([
        "validate",
        "generate",
        "rerank",
        "retrieve",
        "rewrite",
        "analyze",
        "start",
        "input",
      ]);
      expect(checkpoints.map((c) => c.step)).toEqual([6, 5, 4, 3, 2, 1, 0, -1]);
      for (const c of checkpoints) expect(Date.parse(c.createdAt)).not.toBeNaN();
      expect(checkpoints[0]!.next).toEqual([]);
      expect(checkpoints[0]!.parentCheckpointId).toBe(checkpoints[1]!.checkpointId);
      const afterRewrite = checkpoints.find((c) => c.node === "rewrite")!;
      expect(afterRewrite.next).toEqual(["retrieve"]);

      const state = await agent.getStateAt(acme, threadId, afterRewrite.checkpointId);
      expect(state.values.queries?.standalone).toMatch(/refund/i);
      expect(state.values.passages).toEqual([]);
      expect(state.messages.map((m) => m.role)).toEqual(["user"]);
      await expect(agent.getStateAt(globex, threadId, afterRewrite.checkpointId)).rejects.toMatchObject({
        code: "not_found",
      });
      await expect(
        agent.fork(acme, threadId, afterRewrite.checkpointId, { values: { tenantId: "globex" } }),
      ).rejects.toMatchObject({ code: "invalid_input" });

      // Branch: same history up to the rewrite, but search for something else.
      const fork = await agent.fork(acme, threadId, afterRewrite.checkpointId, {
        values: {
          queries: {
            standalone: "How long does standard shipping take?",
            variations: ["How long does standard shipping take?"],
            focusTerms: ["standard", "ship", "take"],
            contextTerms: [],
          },
        },
        asNode: "rewrite",
      });
      expect(fork.next).toEqual(["retrieve"]);
      const branched = await collect(
        agent.continue({ tenant: acme, threadId, checkpointId: fork.checkpointId }),
      );
      expect(finished(branched).answer).toContain("Standard shipping takes 3 to 5 business days");
      expect(of(branched, "step_started").map((e) => e.step)[0]).toBe("retrieve");
      // The original branch is still there, unchanged.
      const old = await agent.getStateAt(acme, threadId, checkpoints[0]!.checkpointId);
      expect(old.values.answer).toBe(original.answer);
      expect((await agent.getMessages(acme, threadId)).map((m) => m.role)).toEqual(["user", "assistant"]);
    });

    it("continues a cancelled run from its last checkpoint without re-running finished steps", async () => {
      const threadId = "crash-1";
      let hang = true;
      const { calls, options } = counted();
      options.models!.answer = (input) => {
        calls.answer++;
        if (!hang) return offlineAnswer(input);
        return new Promise((_, reject) =>
          input.signal?.addEventListener("abort", () => reject(new Error("model call aborted")), {
            once: true,
          }),
        );
      };
      const agent = createRagAgent(options);
      const controller = new AbortController();
      const events: AgentEvent[] = [];
      for await (const e of agent.stream("What is the refund window for annual plans?", {
        tenant: acme,
        threadId,
        signal: controller.signal,
      })) {
        events.push(e);
        if (e.type === "step_started" && e.step === "generate") controller.abort();
      }
      expect(events.at(-1)).toMatchObject({ type: "run_error", code: "aborted" });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the abandoned graph run settles
      const searches = calls.searches.length;
      expect(searches).toBeGreaterThan(0);
      expect(calls).toMatchObject({ rewrite: 1, answer: 1 });
      expect((await agent.listCheckpoints(acme, threadId))[0]!.next).toEqual(["generate"]);

      hang = false;
      const continued = await collect(createRagAgent(options).continue({ tenant: acme, threadId }));
      expect(finished(continued).answer).toContain("refunded in full within 30 days");
      expect(of(continued, "step_started").map((e) => e.step)).toEqual(["generate", "validate"]);
      expect(calls.rewrite).toBe(1);
      expect(calls.searches.length).toBe(searches);
      expect(calls.answer).toBe(2);

      const nothing = await collect(agent.continue({ tenant: acme, threadId }));
      expect(nothing.at(-1)).toMatchObject({ type: "run_error", code: "conflict" });
    });
  });
});

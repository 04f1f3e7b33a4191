import { type AgentModels, type AnswerInput, KnowledgeStore, offlineModels, RunStore } from "@ragkit/core";
import { chatEventDataSchemas, errorBodySchema, threadResponseSchema } from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Frame, get, json, post, readSse, startWorld, TokenGate, type World } from "./support.js";

/**
 * Issue 17 "nothing half-written": whatever a run streams live is what its replay serves later — with text
 * Postgres cannot store as is (NUL, unpaired surrogates from a model), across write failures (retried, or the
 * run ends with a `persistence_failed` error that is itself stored), and a reject reason with NUL is a 400
 * before anything runs.
 */

/** What a model (or a tool's output it quotes) can emit: text `jsonb` refuses as is. */
const HOSTILE_TAIL = " (source\u0000 text \uD800 broken)";

const gate = new TokenGate();

/** The offline answer, streamed word by word through the gate, with a hostile tail. */
const hostileModels: Partial<AgentModels> = {
  async answer(input: AnswerInput) {
    const deltas: string[] = [];
    const out = await offlineModels.answer({ ...input, onDelta: (d) => deltas.push(d) });
    for (const delta of [...deltas, HOSTILE_TAIL]) {
      await gate.wait(input.signal);
      input.onDelta(delta);
    }
    return { ...out, text: out.text + HOSTILE_TAIL };
  },
};

let w: World;
let hitl: World;
// RAGKIT_TEST_POSTGRES: the same tests on a real Postgres server (a fresh schema).
const postgres = process.env.RAGKIT_TEST_POSTGRES;
let pgStore: KnowledgeStore | undefined;

beforeAll(async () => {
  pgStore = postgres
    ? await KnowledgeStore.open({ database: postgres, schema: `persist_${crypto.randomUUID().slice(0, 8)}` })
    : undefined;
  w = await startWorld(
    { flushIntervalMs: 10, persistRetries: 3, persistRetryMs: 10, options: { models: hostileModels } },
    pgStore,
  );
  hitl = await startWorld({ id: "approver", options: { requireApprovalFor: ["retrieve"] } }, w.store);
  // A write failure on demand, in the database itself: the next `fail` inserts into run_events raise.
  const s = w.store.schema;
  await w.store.driver.exec(`
    CREATE TABLE ${s}.fault (fail bigint NOT NULL);
    INSERT INTO ${s}.fault VALUES (0);
    CREATE SEQUENCE ${s}.fault_hits;
    CREATE FUNCTION ${s}.inject_fault() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN
      IF nextval('${s}.fault_hits') <= (SELECT fail FROM ${s}.fault) THEN
        RAISE EXCEPTION 'injected write failure';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER inject_fault BEFORE INSERT ON ${s}.run_events FOR EACH ROW EXECUTE FUNCTION ${s}.inject_fault();
  `);
});

afterAll(async () => {
  await hitl?.close();
  await w?.close();
  if (pgStore) {
    await pgStore.driver.exec(`DROP SCHEMA ${pgStore.schema} CASCADE`);
    await pgStore.close();
  }
});

async function failNextWrites(n: number): Promise<void> {
  await w.store.driver.query(`ALTER SEQUENCE ${w.store.schema}.fault_hits RESTART WITH 1`);
  await w.store.driver.query(`UPDATE ${w.store.schema}.fault SET fail = $1`, [n]);
}

/** Event for event: same ids, types and JSON values (jsonb normalises key order, which JSON leaves free). */
const strip = (frames: Frame[]) =>
  frames.map(({ id, event, data }) => ({ id, event, data: JSON.parse(data) as unknown }));
const answerOf = (frames: Frame[]) =>
  frames
    .filter((f) => f.event === "token")
    .map((f) => chatEventDataSchemas.token.parse(JSON.parse(f.data)).delta)
    .join("");

async function finished(world: World, runId: string): Promise<string> {
  let status = "running";
  await vi.waitFor(
    async () => {
      status = (
        await json<{ run: { status: string } }>(await get(world.served.url, `/runs/${runId}`, world.tokenA))
      ).run.status;
      expect(status).not.toBe("running");
    },
    { timeout: 20_000 },
  );
  return status;
}

/** The run's stored events, served as a reconnecting client gets them. */
async function replay(world: World, runId: string): Promise<Frame[]> {
  const res = await get(world.served.url, `/runs/${runId}/events`, world.tokenA);
  expect(res.status).toBe(200);
  return (await readSse(res)).frames;
}

describe("replay equals the live stream", () => {
  it("with NUL and unpaired surrogates in the model's output (plain SSE and the thread's messages)", async () => {
    gate.open();
    const res = await post(w.served.url, "/chat/stream", w.tokenA, { message: "What is the aurora budget?" });
    const runId = res.headers.get("x-run-id")!;
    const threadId = res.headers.get("x-thread-id")!;
    const live = (await readSse(res)).frames;
    expect(live.at(-1)?.event).toBe("done");
    expect(answerOf(live)).toContain(HOSTILE_TAIL);
    expect(await finished(w, runId)).toBe("completed");
    expect(strip(await replay(w, runId))).toEqual(strip(live));
    // Resuming in the middle serves exactly the rest.
    const middle = Number(live[Math.floor(live.length / 2)]!.id);
    const rest = await get(w.served.url, `/runs/${runId}/events`, w.tokenA, {
      "last-event-id": String(middle),
    });
    expect(strip((await readSse(rest)).frames)).toEqual(strip(live.filter((f) => Number(f.id) > middle)));
    const thread = threadResponseSchema.parse(
      await (await get(w.served.url, `/threads/${threadId}`, w.tokenA)).json(),
    );
    expect(thread.thread.messages.at(-1)).toEqual({
      id: expect.any(String),
      role: "assistant",
      content: answerOf(live),
    });
  });

  it("with NUL and unpaired surrogates through AG-UI: the connect replay and the stored events match the live run", async () => {
    gate.open();
    const threadId = crypto.randomUUID();
    const res = await post(w.served.url, "/copilotkit/agent/ragkit/run", w.tokenA, {
      threadId,
      runId: crypto.randomUUID(),
      messages: [{ id: "m1", role: "user", content: "What is the aurora budget?" }],
    });
    expect(res.status).toBe(200);
    const storedRunId = res.headers.get("x-run-id")!;
    const live = (await readSse(res)).frames;
    const liveEvents = live.map((f) => JSON.parse(f.data) as { type: string; delta?: string });
    const liveText = liveEvents
      .filter((e) => e.type === "TEXT_MESSAGE_CONTENT")
      .map((e) => e.delta)
      .join("");
    expect(liveText).toContain(HOSTILE_TAIL);
    expect(await finished(w, storedRunId)).toBe("completed");
    // Every agent event the AG-UI stream carried (its SSE id is the stored seq) is stored, none missing —
    // read from the table itself: the plain-SSE replay omits event kinds that protocol does not carry.
    const stored = await replay(w, storedRunId);
    const liveSeqs = [...new Set(live.map((f) => Number(f.id)))];
    const storedSeqs = (await new RunStore(w.store).listEvents(w.a, storedRunId)).map((e) => e.seq);
    expect(liveSeqs.every((seq) => storedSeqs.includes(seq))).toBe(true);
    expect(answerOf(stored)).toBe(liveText);

    const connect = await post(w.served.url, "/copilotkit/agent/ragkit/connect", w.tokenA, {
      threadId,
      runId: crypto.randomUUID(),
      messages: [],
    });
    const snapshot = (await readSse(connect)).frames
      .map((f) => JSON.parse(f.data) as { type: string; messages?: Array<{ role: string; content: string }> })
      .find((e) => e.type === "MESSAGES_SNAPSHOT");
    expect(snapshot?.messages?.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(snapshot?.messages?.[1]?.content).toBe(liveText);
  });

  it("across a transient write failure: the events wait and are written on retry, none lost", async () => {
    gate.hold();
    await failNextWrites(2);
    const res = await post(w.served.url, "/chat/stream", w.tokenA, { message: "What is the aurora budget?" });
    const runId = res.headers.get("x-run-id")!;
    const reading = readSse(res);
    // The first batches failed twice and then landed.
    await vi.waitFor(async () => {
      const run = await json<{ run: { lastSeq: number } }>(
        await get(w.served.url, `/runs/${runId}`, w.tokenA),
      );
      expect(run.run.lastSeq).toBeGreaterThan(0);
    });
    const [hits] = await w.store.driver.query<{ n: string }>(
      `SELECT last_value::text AS n FROM ${w.store.schema}.fault_hits`,
    );
    expect(Number(hits!.n)).toBeGreaterThan(2);
    gate.open();
    const live = (await reading).frames;
    expect(live.at(-1)?.event).toBe("done");
    expect(await finished(w, runId)).toBe("completed");
    expect(strip(await replay(w, runId))).toEqual(strip(live));
  });

  it("when writes keep failing: the run ends with a persistence_failed error that is stored with every event", async () => {
    gate.hold();
    // persistRetries is 3: four failed attempts and the run is given up; the final write then succeeds.
    await failNextWrites(4);
    const res = await post(w.served.url, "/chat/stream", w.tokenA, { message: "What is the aurora budget?" });
    const runId = res.headers.get("x-run-id")!;
    const live = (await readSse(res)).frames;
    const last = live.at(-1)!;
    expect(last.event).toBe("error");
    expect(chatEventDataSchemas.error.parse(JSON.parse(last.data))).toMatchObject({
      code: "persistence_failed",
    });
    expect(live.some((f) => f.event === "token")).toBe(false);
    expect(await finished(w, runId)).toBe("failed");
    const run = await json<{ run: { errorCode: string } }>(
      await get(w.served.url, `/runs/${runId}`, w.tokenA),
    );
    expect(run.run.errorCode).toBe("persistence_failed");
    expect(strip(await replay(w, runId))).toEqual(strip(live));
    await failNextWrites(0);
    gate.open();
  });
});

describe("a reject reason with NUL (the issue's case) is refused before anything runs", () => {
  async function pending(): Promise<string> {
    const res = await post(hitl.served.url, "/chat/stream", hitl.tokenA, {
      message: "What is the aurora budget?",
    });
    const threadId = res.headers.get("x-thread-id")!;
    const frames = (await readSse(res)).frames;
    expect(frames.some((f) => f.event === "interrupt")).toBe(true);
    return threadId;
  }

  const runCount = async (threadId: string) =>
    threadResponseSchema.parse(await (await get(hitl.served.url, `/threads/${threadId}`, hitl.tokenA)).json())
      .thread.runs.length;

  it("POST /threads/:id/resume: 400 naming decision.reason; the approval stays pending and answers later", async () => {
    const threadId = await pending();
    for (const reason of ["no\u0000thanks", "no \uD800 thanks"]) {
      const res = await post(hitl.served.url, `/threads/${threadId}/resume`, hitl.tokenA, {
        decision: { type: "reject", reason },
      });
      expect(res.status).toBe(400);
      const body = errorBodySchema.parse(await res.json());
      expect(body.error.details?.map((d) => d.path)).toContain("decision.reason");
      expect(body.error.message).toMatch(/decision\.reason: must not contain (NUL|unpaired)/);
    }
    expect(await runCount(threadId)).toBe(1);
    const ok = await post(hitl.served.url, `/threads/${threadId}/resume`, hitl.tokenA, {
      decision: { type: "reject", reason: "not now" },
    });
    expect(ok.status).toBe(200);
    const runId = ok.headers.get("x-run-id")!;
    const live = (await readSse(ok)).frames;
    expect(live.at(-1)?.event).toBe("done");
    expect(await finished(hitl, runId)).toBe("completed");
    expect(strip(await replay(hitl, runId))).toEqual(strip(live));
  });

  it("AG-UI resume payloads (standard and legacy JSON string): 400, nothing run", async () => {
    const threadId = await pending();
    const bodies = [
      { resume: [{ interruptId: "i", status: "resolved", payload: { type: "reject", reason: "a\u0000b" } }] },
      { forwardedProps: { command: { resume: JSON.stringify({ type: "reject", reason: "a\u0000b" }) } } },
    ];
    for (const extra of bodies) {
      const res = await post(hitl.served.url, "/copilotkit/agent/approver/run", hitl.tokenA, {
        threadId,
        runId: crypto.randomUUID(),
        messages: [],
        ...extra,
      });
      expect(res.status).toBe(400);
      expect(errorBodySchema.parse(await res.json()).error.message).toMatch(/reason: must not contain NUL/);
    }
    expect(await runCount(threadId)).toBe(1);
  });
});

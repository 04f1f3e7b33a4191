import { type NewRunEvent, RunStore, seedExampleSales } from "@ragkit/core";
import { chatEventDataSchemas, parseChatEvent, type RunResponse } from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support.js";
import { type Frame, get, json, post, readSse, startWorld, type World } from "./support.js";

let w: World;

beforeAll(async () => {
  w = await startWorld();
  await seedExampleSales(w.store, w.a);
});

afterAll(async () => {
  await w?.close();
});

const types = (frames: Frame[]) => frames.map((f) => f.event);
const tokens = (frames: Frame[]) =>
  frames
    .filter((f) => f.event === "token")
    .map((f) => (JSON.parse(f.data) as { delta: string }).delta)
    .join("");

async function runStatus(runId: string, token = w.tokenA): Promise<string> {
  const res = await get(w.served.url, `/runs/${runId}`, token);
  return (await json<RunResponse>(res)).run.status;
}

describe("POST /chat/stream", () => {
  it("streams typed events with increasing ids, from start to done", async () => {
    const res = await post(w.served.url, "/chat/stream", w.tokenA, { message: "What is the aurora budget?" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const runId = res.headers.get("x-run-id");
    const threadId = res.headers.get("x-thread-id");
    const { frames } = await readSse(res);
    expect(frames[0]?.event).toBe("start");
    expect(frames.at(-1)?.event).toBe("done");
    const ids = frames.map((f) => Number(f.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    for (const f of frames) expect(parseChatEvent(f), f.event).not.toBeNull();
    expect(types(frames)).toEqual(expect.arrayContaining(["state", "thought", "token", "citations"]));
    const done = chatEventDataSchemas.done.parse(JSON.parse(frames.at(-1)!.data));
    expect(done).toMatchObject({ runId, threadId, status: "completed" });
    expect(done.answer).toContain("five million euros");
    expect(tokens(frames)).toBe(done.answer);
    expect(done.citations.length).toBeGreaterThan(0);
    await eventually(async () => expect(await runStatus(runId!)).toBe("completed"));
  });

  it("rejects invalid requests before streaming", async () => {
    for (const body of [{}, { message: "   " }, { message: "hi", threadId: "../x" }, { message: 5 }]) {
      const res = await post(w.served.url, "/chat/stream", w.tokenA, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const unauth = await fetch(`${w.served.url}/chat/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "hi" }),
    });
    expect(unauth.status).toBe(401);
  });

  it("streams SQL tool calls and records audit rows for the run and the query", async () => {
    const res = await post(w.served.url, "/chat/stream", w.tokenA, {
      message: "What is the total revenue by region?",
    });
    const runId = res.headers.get("x-run-id")!;
    const { frames } = await readSse(res);
    const call = frames.find((f) => f.event === "tool_call");
    expect(call).toBeDefined();
    const { toolCall } = chatEventDataSchemas.tool_call.parse(JSON.parse(call!.data));
    expect(toolCall.name).toBe("query_database");
    await eventually(async () => {
      const audit = await w.store.audit.list(w.a, { limit: 50 });
      const actions = audit.filter((r) => r.resourceId === runId).map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(["agent.sql_query", "agent.run"]));
    });
    const sql = (await w.store.audit.list(w.a, { limit: 50 })).find(
      (r) => r.action === "agent.sql_query" && r.resourceId === runId,
    );
    expect(sql?.userId).toBe("alice");
    expect(String(sql?.details.sql)).toMatch(/^SELECT/i);
  });

  it("sends heartbeats while the model is silent", async () => {
    w.gate.hold();
    try {
      const res = await post(w.served.url, "/chat/stream", w.tokenA, {
        message: "What is the aurora budget?",
        background: true,
      });
      const runId = res.headers.get("x-run-id")!;
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      for (let i = 0; i < 200 && !text.includes(": keep-alive"); i++) {
        text += decoder.decode((await reader.read()).value, { stream: true });
      }
      expect(text).toContain(": keep-alive\n\n");
      await reader.cancel();
      await post(w.served.url, `/runs/${runId}/stop`, w.tokenA, {});
      await eventually(async () => expect(await runStatus(runId)).toBe("cancelled"));
    } finally {
      w.gate.open();
    }
  });
});

describe("resumable streams", () => {
  it("a client reconnecting with Last-Event-ID gets the missed events, then the live tail", async () => {
    w.gate.hold();
    const base = w.gate.emitted;
    w.gate.release(2);
    try {
      const res = await post(w.served.url, "/chat/stream", w.tokenA, {
        message: "What is the aurora budget?",
        background: true,
      });
      const runId = res.headers.get("x-run-id")!;
      // Read until the second token, then drop the connection.
      const first = await readSse(res, (_f, all) => all.filter((f) => f.event === "token").length === 2);
      const lastId = first.frames.at(-1)!.id!;
      // More tokens are produced while the client is away (a background run keeps going).
      w.gate.release(3);
      await eventually(() => expect(w.gate.emitted).toBe(base + 5));
      w.gate.open();
      const again = await get(w.served.url, `/runs/${runId}/events`, w.tokenA, { "last-event-id": lastId });
      expect(again.status).toBe(200);
      const rest = await readSse(again);
      expect(Number(rest.frames[0]!.id)).toBe(Number(lastId) + 1);
      expect(rest.frames.at(-1)?.event).toBe("done");
      const all = [...first.frames, ...rest.frames];
      const done = chatEventDataSchemas.done.parse(JSON.parse(all.at(-1)!.data));
      expect(tokens(all)).toBe(done.answer);

      // After the run: the full log replays from the database, and from any id.
      await eventually(async () => expect(await runStatus(runId)).toBe("completed"));
      const replay = await readSse(await get(w.served.url, `/runs/${runId}/events`, w.tokenA));
      expect(replay.frames.map((f) => f.id)).toEqual(all.map((f) => f.id));
      const tail = await readSse(
        await get(w.served.url, `/runs/${runId}/events?lastEventId=${lastId}`, w.tokenA),
      );
      expect(tail.frames.map((f) => f.id)).toEqual(rest.frames.map((f) => f.id));
    } finally {
      w.gate.open();
    }
  });

  it("a client disconnect aborts a foreground run's model call", async () => {
    w.gate.hold();
    w.gate.release(1);
    const abortsBefore = w.gate.aborts;
    try {
      const controller = new AbortController();
      const res = await fetch(`${w.served.url}/chat/stream`, {
        method: "POST",
        headers: { authorization: `Bearer ${w.tokenA}`, "content-type": "application/json" },
        body: JSON.stringify({ message: "What is the aurora budget?" }),
        signal: controller.signal,
      });
      const runId = res.headers.get("x-run-id")!;
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      for (let i = 0; i < 200 && !text.includes("event: token"); i++) {
        text += decoder.decode((await reader.read()).value, { stream: true });
      }
      controller.abort();
      await eventually(() => expect(w.gate.aborts).toBe(abortsBefore + 1));
      await eventually(async () => expect(await runStatus(runId)).toBe("cancelled"));
    } finally {
      w.gate.open();
    }
  });

  it("a background run survives the disconnect", async () => {
    w.gate.hold();
    w.gate.release(1);
    try {
      const res = await post(w.served.url, "/chat/stream", w.tokenA, {
        message: "What is the aurora budget?",
        background: true,
      });
      const runId = res.headers.get("x-run-id")!;
      await readSse(res, (f) => f.event === "token");
      w.gate.open();
      await eventually(async () => expect(await runStatus(runId)).toBe("completed"));
    } finally {
      w.gate.open();
    }
  });

  it("POST /runs/:id/stop ends the stream with an aborted error and a cancelled run", async () => {
    w.gate.hold();
    try {
      const res = await post(w.served.url, "/chat/stream", w.tokenA, {
        message: "What is the aurora budget?",
      });
      const runId = res.headers.get("x-run-id")!;
      const reading = readSse(res);
      const stop = await post(w.served.url, `/runs/${runId}/stop`, w.tokenA, {});
      expect(stop.status).toBe(202);
      const { frames } = await reading;
      expect(frames.at(-1)?.event).toBe("error");
      expect(JSON.parse(frames.at(-1)!.data)).toMatchObject({ code: "aborted" });
      await eventually(async () => expect(await runStatus(runId)).toBe("cancelled"));
    } finally {
      w.gate.open();
    }
  });
});

describe("two replicas on one database", () => {
  it("a replica that does not own the run tails it from the table and forwards a stop to the owner", async () => {
    const other = await startWorld({}, w.store);
    w.gate.hold();
    try {
      const res = await post(w.served.url, "/chat/stream", w.tokenA, {
        message: "What is the aurora budget?",
        background: true,
      });
      const runId = res.headers.get("x-run-id")!;
      await readSse(res, (f) => f.event === "state");
      // Replica 2 serves the run's events by polling run_events; more tokens arrive while it follows.
      const following = readSse(await get(other.served.url, `/runs/${runId}/events`, w.tokenA));
      w.gate.release(3);
      await eventually(async () => {
        const events = await w.store.withTenant(w.a, (tx) =>
          tx.query(`SELECT 1 FROM ${w.store.schema}.run_events WHERE run_id = $1 AND type = 'text_delta'`, [
            runId,
          ]),
        );
        expect(events.length).toBe(3);
      });
      // The stop lands on replica 2; replica 1 (the owner) sees cancel_requested and aborts.
      const stop = await post(other.served.url, `/runs/${runId}/stop`, w.tokenA, {});
      expect(stop.status).toBe(202);
      const { frames } = await following;
      expect(frames[0]?.event).toBe("start");
      expect(frames.filter((f) => f.event === "token")).toHaveLength(3);
      expect(frames.at(-1)?.event).toBe("error");
      expect(JSON.parse(frames.at(-1)!.data)).toMatchObject({ code: "aborted" });
      const ids = frames.map((f) => Number(f.id));
      // Seqs of the run's events (those plain SSE does not carry — message, approval — leave gaps), in order.
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
      expect(ids[0]).toBe(1);
      expect(await runStatus(runId)).toBe("cancelled");
    } finally {
      w.gate.open();
      await other.close();
    }
  });
});

describe("tenant isolation", () => {
  it("another tenant's run reads, streams and stops like a missing one", async () => {
    const res = await post(w.served.url, "/chat/stream", w.tokenA, { message: "What is the aurora budget?" });
    const runId = res.headers.get("x-run-id")!;
    await readSse(res);
    const answers: unknown[] = [];
    for (const [method, path] of [
      ["GET", `/runs/${runId}`],
      ["GET", `/runs/${runId}/events`],
      ["POST", `/runs/${runId}/stop`],
      ["GET", "/runs/00000000-0000-4000-8000-000000000000"],
      ["GET", "/runs/not%20valid/events"],
    ] as const) {
      const r =
        method === "GET"
          ? await get(w.served.url, path, w.tokenB)
          : await post(w.served.url, path, w.tokenB, {});
      expect(r.status, path).toBe(404);
      const { error } = await json<{ error: { code: string; message: string } }>(r);
      answers.push({ code: error.code, message: error.message });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await runStatus(runId)).toBe("completed");
  });

  it("ignores tenant ids in the body and headers", async () => {
    const res = await post(
      w.served.url,
      "/chat/stream",
      w.tokenB,
      { message: "What is the aurora budget?", tenantId: "tenant-a", tenant_id: "tenant-a" },
      { "x-tenant-id": "tenant-a" },
    );
    const { frames } = await readSse(res);
    const done = chatEventDataSchemas.done.parse(JSON.parse(frames.at(-1)!.data));
    expect(done.answer).not.toContain("five million");
    const runs = await w.store.withTenant(w.a, (tx) =>
      tx.query(`SELECT id FROM ${w.store.schema}.agent_runs WHERE id = $1`, [done.runId]),
    );
    expect(runs).toEqual([]);
  });
});

describe("runs of a crashed replica", () => {
  /** A run row as a replica leaves it when it dies mid-run: "running", one event, no heartbeat for an hour. */
  async function orphan(threadId: string, extra: NewRunEvent[] = []): Promise<string> {
    const runs = new RunStore(w.store);
    const run = await runs.createRun(w.a, {
      threadId,
      kind: "message",
      background: false,
      title: "lost",
      owner: "dead-replica",
    });
    await runs.appendEvents(w.a, run.id, [
      {
        seq: 1,
        type: "run_started",
        data: { type: "run_started", runId: run.id, threadId, tenantId: null, timestamp: 0 },
      },
      ...extra,
    ]);
    await w.store.withTenant(w.a, (tx) =>
      tx.query(
        `UPDATE ${w.store.schema}.agent_runs SET updated_at = now() - interval '1 hour' WHERE id = $1`,
        [run.id],
      ),
    );
    return run.id;
  }

  it("ends it for followers with an owner_lost error instead of tailing forever", async () => {
    const runId = await orphan("orphaned-1");
    const { frames } = await readSse(await get(w.served.url, `/runs/${runId}/events`, w.tokenA));
    expect(frames[0]?.event).toBe("start");
    expect(frames.at(-1)?.event).toBe("error");
    expect(JSON.parse(frames.at(-1)!.data)).toMatchObject({ code: "owner_lost" });
    expect(await runStatus(runId)).toBe("failed");
  });

  it("skips a stored row that is not an agent event instead of ending the stream", async () => {
    const runId = await orphan("orphaned-bad-row", [
      { seq: 2, type: "run_exploded", data: { type: "run_exploded" } },
      { seq: 3, type: "thought", data: { type: "thought", step: "analyze" } },
      {
        seq: 4,
        type: "step_started",
        data: { type: "step_started", runId: "r", threadId: "t", step: "analyze" },
      },
    ]);
    const { frames } = await readSse(await get(w.served.url, `/runs/${runId}/events`, w.tokenA));
    expect(types(frames)).toEqual(["start", "state", "error"]);
    expect(frames.map((f) => f.id).slice(0, 2)).toEqual(["1", "4"]);
    expect(JSON.parse(frames.at(-1)!.data)).toMatchObject({ code: "owner_lost" });
  });

  it("lets its thread take a new run, while a live run on another replica still blocks its thread (409)", async () => {
    await orphan("orphaned-2");
    const res = await post(w.served.url, "/chat/stream", w.tokenA, {
      message: "What is the aurora budget?",
      threadId: "orphaned-2",
    });
    expect(res.status).toBe(200);
    const { frames } = await readSse(res);
    expect(frames.at(-1)?.event).toBe("done");

    const other = await startWorld({}, w.store);
    w.gate.hold();
    try {
      const live = await post(w.served.url, "/chat/stream", w.tokenA, {
        message: "What is the aurora budget?",
        threadId: "busy-thread",
        background: true,
      });
      await readSse(live, (f) => f.event === "state");
      const second = await post(other.served.url, "/chat/stream", w.tokenA, {
        message: "And the timeline?",
        threadId: "busy-thread",
      });
      expect(second.status).toBe(409);
    } finally {
      w.gate.open();
      await other.close();
    }
  });
});

import {
  chatEventDataSchemas,
  checkpointListResponseSchema,
  forkResponseSchema,
  threadListResponseSchema,
  threadResponseSchema,
  threadSummaryResponseSchema,
} from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, get, json, post, readSse, startWorld, type World } from "../chat/support.js";
import { testDatabase } from "../store.js";
import { eventually } from "../support.js";

let w: World;

beforeAll(async () => {
  // Retrieval waits for a human's approval: every question pauses once.
  w = await startWorld({ options: { requireApprovalFor: ["retrieve"] } });
});

afterAll(async () => {
  await w?.close();
});

const last = (frames: Frame[]) => frames.at(-1)!;

async function ask(message: string, threadId?: string, token = w.tokenA) {
  const res = await post(w.served.url, "/chat/stream", token, { message, ...(threadId ? { threadId } : {}) });
  expect(res.status).toBe(200);
  const { frames } = await readSse(res);
  return { frames, threadId: res.headers.get("x-thread-id")!, runId: res.headers.get("x-run-id")! };
}

async function thread(threadId: string, token = w.tokenA) {
  const res = await get(w.served.url, `/threads/${threadId}`, token);
  expect(res.status).toBe(200);
  return threadResponseSchema.parse(await res.json()).thread;
}

describe("human in the loop", () => {
  it("a pending approval is visible on the thread and resumes with approve", async () => {
    const first = await ask("What is the aurora budget?");
    const interrupt = first.frames.find((f) => f.event === "interrupt");
    expect(interrupt).toBeDefined();
    const done = chatEventDataSchemas.done.parse(JSON.parse(last(first.frames).data));
    expect(done.status).toBe("interrupted");

    const detail = await thread(first.threadId);
    expect(detail.interrupt).toMatchObject({ kind: "approval", tool: "retrieve" });
    expect(detail.messages[0]).toMatchObject({ role: "user", content: "What is the aurora budget?" });
    // The note any chat shows: what waits for approval and how to answer it.
    expect(detail.messages[1]).toMatchObject({ role: "assistant", id: detail.interrupt?.messageId });
    expect(detail.messages[1]?.content).toMatch(
      /^Waiting for your approval to run retrieve: .*Reply approve/s,
    );
    expect(detail.runs.map((r) => r.status)).toEqual(["interrupted"]);

    const res = await post(w.served.url, `/threads/${first.threadId}/resume`, w.tokenA, {
      decision: { type: "approve" },
    });
    expect(res.status).toBe(200);
    const { frames } = await readSse(res);
    const finished = chatEventDataSchemas.done.parse(JSON.parse(last(frames).data));
    expect(finished).toMatchObject({ status: "completed", threadId: first.threadId });
    expect(finished.answer).toContain("five million euros");

    const after = await thread(first.threadId);
    expect(after.interrupt).toBeNull();
    expect(after.messages.map((m) => m.role)).toEqual(["user", "assistant", "assistant"]);
    expect(after.messages[2]?.content).toContain("five million euros");
    expect(after.state).toMatchObject({ answerKind: expect.any(String) });
    await eventually(async () => {
      const audit = await w.store.audit.list(w.a, { limit: 100 });
      const approval = audit.find((r) => r.action === "agent.approval" && r.resourceId === first.threadId);
      expect(approval?.details).toMatchObject({ decision: "approve", tool: "retrieve" });
    });
  });

  it("reject and edit decisions; a resume without a pending approval is a conflict", async () => {
    const rejected = await ask("What is the aurora budget?");
    const res = await post(w.served.url, `/threads/${rejected.threadId}/resume`, w.tokenA, {
      decision: { type: "reject", reason: "not now" },
    });
    const { frames } = await readSse(res);
    expect(last(frames).event).toBe("done");
    const again = await post(w.served.url, `/threads/${rejected.threadId}/resume`, w.tokenA, {
      decision: { type: "approve" },
    });
    expect(again.status).toBe(409);

    const edited = await ask("How large is the project budget?");
    const bad = await post(w.served.url, `/threads/${edited.threadId}/resume`, w.tokenA, {
      decision: { type: "maybe" },
    });
    expect(bad.status).toBe(400);
    const ok = await post(w.served.url, `/threads/${edited.threadId}/resume`, w.tokenA, {
      decision: { type: "edit", args: { queries: ["aurora project budget"] } },
    });
    const out = await readSse(ok);
    const done = chatEventDataSchemas.done.parse(JSON.parse(last(out.frames).data));
    expect(done.answer).toContain("five million euros");
    await eventually(async () => {
      const audit = await w.store.audit.list(w.a, { limit: 100 });
      const decisions = audit
        .filter(
          (r) =>
            r.action === "agent.approval" &&
            [rejected.threadId, edited.threadId].includes(r.resourceId ?? ""),
        )
        .map((r) => r.details.decision);
      expect(decisions.sort()).toEqual(["edit", "reject"]);
    });
  });
});

describe("threads API", () => {
  it("lists threads, shows checkpoints, forks and deletes", async () => {
    const t = await ask("What is the aurora budget?");
    await readSse(
      await post(w.served.url, `/threads/${t.threadId}/resume`, w.tokenA, { decision: { type: "approve" } }),
    );
    const list = threadListResponseSchema.parse(await (await get(w.served.url, "/threads", w.tokenA)).json());
    const summary = list.threads.find((x) => x.threadId === t.threadId);
    expect(summary).toMatchObject({
      title: "What is the aurora budget?",
      runCount: 2,
      lastStatus: "completed",
    });
    expect(list.threads[0]?.threadId).toBe(t.threadId);
    const page = threadListResponseSchema.parse(
      await (await get(w.served.url, "/threads?limit=1", w.tokenA)).json(),
    );
    expect(page.threads).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const next = threadListResponseSchema.parse(
      await (
        await get(w.served.url, `/threads?limit=50&before=${encodeURIComponent(page.nextCursor!)}`, w.tokenA)
      ).json(),
    );
    expect(next.threads.map((x) => x.threadId)).not.toContain(page.threads[0]!.threadId);

    const cps = checkpointListResponseSchema.parse(
      await (await get(w.served.url, `/threads/${t.threadId}/checkpoints`, w.tokenA)).json(),
    ).checkpoints;
    expect(cps.length).toBeGreaterThan(2);
    const fork = await post(w.served.url, `/threads/${t.threadId}/fork`, w.tokenA, {
      checkpointId: cps.at(-1)!.checkpointId,
    });
    expect(fork.status).toBe(201);
    expect(forkResponseSchema.parse(await fork.json()).threadId).toBe(t.threadId);
    const missing = await post(w.served.url, `/threads/${t.threadId}/fork`, w.tokenA, {
      checkpointId: "nope",
    });
    expect(missing.status).toBe(404);

    const patch = (body: unknown, token = w.tokenA) =>
      fetch(`${w.served.url}/threads/${t.threadId}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const renamed = await patch({ title: "  Aurora budget  " });
    expect(renamed.status).toBe(200);
    expect(threadSummaryResponseSchema.parse(await renamed.json()).thread).toMatchObject({
      threadId: t.threadId,
      title: "Aurora budget",
      runCount: 2,
    });
    const relisted = threadListResponseSchema.parse(
      await (await get(w.served.url, "/threads", w.tokenA)).json(),
    );
    expect(relisted.threads.find((x) => x.threadId === t.threadId)?.title).toBe("Aurora budget");
    const empty = await patch({ title: "   " });
    expect(empty.status).toBe(400);
    expect((await json<{ error: { message: string } }>(empty)).error.message).toMatch(/title/);

    const del = await fetch(`${w.served.url}/threads/${t.threadId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${w.tokenA}` },
    });
    expect(del.status).toBe(204);
    expect((await get(w.served.url, `/threads/${t.threadId}`, w.tokenA)).status).toBe(404);
    const audit = await w.store.audit.list(w.a, { limit: 100 });
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(["agent.fork", "agent.thread.rename", "agent.thread.delete"]),
    );
  });

  it("tenant B gets 404 for every route on A's thread, and lists never mix", async () => {
    const t = await ask("What is the aurora budget?");
    const b = await ask("What does the cafeteria serve?", undefined, w.tokenB);
    const bodies: string[] = [];
    const attempts: Array<[string, string, unknown?]> = [
      ["GET", `/threads/${t.threadId}`],
      ["GET", `/threads/${t.threadId}/checkpoints`],
      ["POST", `/threads/${t.threadId}/fork`, { checkpointId: "x" }],
      ["POST", `/threads/${t.threadId}/resume`, { decision: { type: "approve" } }],
      ["PATCH", `/threads/${t.threadId}`, { title: "pwned" }],
      ["DELETE", `/threads/${t.threadId}`],
      ["GET", "/threads/never-existed"],
    ];
    for (const [method, path, body] of attempts) {
      const res = await fetch(`${w.served.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${w.tokenB}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      const { error } = await json<{ error: { code: string; message: string } }>(res);
      bodies.push(JSON.stringify({ code: error.code, message: error.message }));
    }
    expect(new Set(bodies).size).toBe(1);
    // A's thread still waits for A's approval.
    expect((await thread(t.threadId)).interrupt).not.toBeNull();

    const listB = threadListResponseSchema.parse(
      await (await get(w.served.url, "/threads", w.tokenB)).json(),
    );
    const listA = threadListResponseSchema.parse(
      await (await get(w.served.url, "/threads", w.tokenA)).json(),
    );
    const idsB = listB.threads.map((x) => x.threadId);
    const idsA = listA.threads.map((x) => x.threadId);
    expect(idsB).toContain(b.threadId);
    expect(idsB).not.toContain(t.threadId);
    expect(idsA).not.toContain(b.threadId);

    // The same thread id in two tenants is two threads.
    const same = await ask("What is the aurora budget?", t.threadId, w.tokenB);
    expect(same.threadId).toBe(t.threadId);
    expect((await thread(t.threadId, w.tokenB)).messages[0]?.content).toBe("What is the aurora budget?");
    expect((await thread(t.threadId)).runs).toHaveLength(1);
  });
});

describe("durability", () => {
  it("thread history survives restarting the handler on the same database", async () => {
    const database = await testDatabase({ persistent: true });
    try {
      const store1 = await database.open();
      const w1 = await startWorld({ options: { requireApprovalFor: [] } }, store1);
      const first = await post(w1.served.url, "/chat/stream", w1.tokenA, {
        message: "What is the aurora budget?",
      });
      const threadId = first.headers.get("x-thread-id")!;
      const runId = first.headers.get("x-run-id")!;
      await readSse(first);
      await w1.close();
      await store1.close();

      const store2 = await database.open();
      const w2 = await startWorld({ options: { requireApprovalFor: [] } }, store2);
      try {
        const res = await get(w2.served.url, `/threads/${threadId}`, w2.tokenA);
        expect(res.status).toBe(200);
        const detail = threadResponseSchema.parse(await res.json()).thread;
        expect(detail.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
        expect(detail.messages[1]?.content).toContain("five million euros");
        const replay = await readSse(await get(w2.served.url, `/runs/${runId}/events`, w2.tokenA));
        expect(replay.frames.at(-1)?.event).toBe("done");
        // CopilotKit's connect replays the same history (AG-UI MESSAGES_SNAPSHOT).
        const connect = await readSse(
          await post(w2.served.url, "/copilotkit/agent/ragkit/connect", w2.tokenA, {
            threadId,
            runId: "reload-1",
            messages: [],
          }),
        );
        const snapshot = connect.frames
          .map((f) => JSON.parse(f.data) as { type: string; messages?: { role: string; content: string }[] })
          .find((e) => e.type === "MESSAGES_SNAPSHOT");
        expect(snapshot?.messages?.map((m) => m.role)).toEqual(["user", "assistant"]);
        expect((await get(w2.served.url, `/threads/${threadId}`, w2.tokenB)).status).toBe(404);
      } finally {
        await w2.close();
        await store2.close();
      }
    } finally {
      await database.dispose();
    }
  });
});

/**
 * Records real event sequences from the real server (PGlite, offline models) into stories/fixtures/recorded.json,
 * which the Storybook msw handlers and the widget tests replay. Skipped unless RECORD_FIXTURES=1:
 *   RECORD_FIXTURES=1 npx vitest run test/record-fixtures.test.ts
 */
import { writeFileSync } from "node:fs";
import { type AgentModels, type AnswerInput, offlineModels, seedExampleSales } from "@ragkit/core";
import { createRagHandler } from "@ragkit/server";
import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { mint, openFixture, SECRET } from "./support.js";

const run = process.env.RECORD_FIXTURES === "1";

/** The offline answer model, streamed word by word (as a hosted model streams tokens). */
const wordByWord: Partial<AgentModels> = {
  async answer(input: AnswerInput) {
    const deltas: string[] = [];
    const out = await offlineModels.answer({ ...input, onDelta: (d) => deltas.push(d) });
    for (const delta of deltas)
      for (const w of delta.match(/\S*\s*/g)?.filter((x) => x !== "") ?? []) input.onDelta(w);
    return out;
  },
};

interface Frame {
  id?: string | undefined;
  event?: string | undefined;
  data: string;
}

async function frames(res: Response): Promise<Frame[]> {
  expect(
    res.status,
    await res
      .clone()
      .text()
      .catch(() => ""),
  ).toBe(200);
  const out: Frame[] = [];
  const parser = createParser({ onEvent: (e) => out.push({ id: e.id, event: e.event, data: e.data }) });
  parser.feed(await res.text());
  return out;
}

describe.skipIf(!run)("record fixtures", () => {
  it("records chat, AG-UI, approval, content and job sequences", async () => {
    const f = await openFixture();
    await seedExampleSales(f.store, f.ctxA);
    const make = (requireApprovalFor: Array<"query_database">) =>
      createRagHandler({
        store: f.store,
        basePath: "/api/rag",
        auth: { jwtSecret: SECRET },
        agent: { heartbeatMs: 60_000, options: { models: wordByWord, requireApprovalFor } },
      });
    const open = make([]);
    const gated = make(["query_database"]);
    const token = await mint("acme");
    const call = (
      h: typeof open,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) =>
      h(
        new Request(`http://ragkit.test/api/rag${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );

    const answer = await frames(
      await call(open, "POST", "/chat/stream", {
        message: "Tell me about economy flights and meals during travel.",
      }),
    );
    const chart = await frames(
      await call(open, "POST", "/chat/stream", { message: "Show total revenue by region as a bar chart" }),
    );
    const interrupted = await frames(
      await call(gated, "POST", "/chat/stream", {
        message: "Show monthly revenue by region as a line chart",
      }),
    );
    const threadId = JSON.parse(interrupted[0]?.data ?? "{}").threadId as string;
    const resumed = await frames(
      await call(gated, "POST", `/threads/${threadId}/resume`, { decision: { type: "approve" } }),
    );
    const refusal = await frames(
      await call(open, "POST", "/chat/stream", { message: "What is the cafeteria menu on Mars?" }),
    );

    const aguiInput = (message: string, id: string) => ({
      threadId: `thread-${id}`,
      runId: `run-${id}`,
      state: {},
      messages: [{ id: `m-${id}`, role: "user", content: message }],
      tools: [],
      context: [],
      forwardedProps: {},
    });
    const aguiHeaders = { accept: "text/event-stream" };
    const aguiAnswer = await frames(
      await call(
        open,
        "POST",
        "/copilotkit/agent/ragkit/run",
        aguiInput("Tell me about economy flights and meals during travel.", "answer"),
        aguiHeaders,
      ),
    );
    const aguiChart = await frames(
      await call(
        open,
        "POST",
        "/copilotkit/agent/ragkit/run",
        aguiInput("Show total revenue by region as a bar chart", "chart"),
        aguiHeaders,
      ),
    );
    const aguiInterrupt = await frames(
      await call(
        gated,
        "POST",
        "/copilotkit/agent/ragkit/run",
        aguiInput("Show monthly revenue by region as a line chart", "approval"),
        aguiHeaders,
      ),
    );
    const info = await (await call(open, "GET", "/copilotkit/info")).json();

    const content: Record<string, unknown> = {};
    for (const id of f.docsA)
      content[id] = await (await call(open, "GET", `/documents/${id}/content`)).json();
    const documents = await (await call(open, "GET", "/documents")).json();

    // An upload and its job's progress events.
    const form = new FormData();
    form.append(
      "file0",
      new File(["# Parental leave\n\nEmployees get sixteen weeks of paid parental leave."], "leave.md", {
        type: "text/markdown",
      }),
    );
    const upload = await open(
      new Request("http://ragkit.test/api/rag/documents", {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: form,
      }),
    );
    const uploadBody = (await upload.json()) as { jobs: Array<{ jobId: string }> };
    const jobId = uploadBody.jobs[0]?.jobId ?? "";
    const jobEvents = await frames(await call(open, "GET", `/jobs/${jobId}/events`));

    const recorded = {
      recordedAt: new Date().toISOString(),
      note: "Recorded from @ragkit/server (PGlite, offline models) by packages/react/test/record-fixtures.test.ts.",
      chat: { answer, chart, interrupted, resumed, refusal },
      agui: { info, answer: aguiAnswer, chart: aguiChart, interrupt: aguiInterrupt },
      content,
      documents,
      upload: { response: uploadBody, jobEvents },
    };
    writeFileSync(
      new URL("../../../stories/fixtures/recorded.json", import.meta.url),
      `${JSON.stringify(recorded, null, 1)}\n`,
    );
    expect(answer.at(-1)?.event).toBe("done");
    await open.close();
    await gated.close();
    await f.store.close();
  });
});

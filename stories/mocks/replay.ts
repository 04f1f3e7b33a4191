/**
 * A fake RagKit server that replays event sequences recorded from the real one (fixtures/recorded.json). It is a
 * plain `(Request) => Promise<Response>` so the same code backs Storybook (through msw) and the package's tests
 * (behind a real node:http server).
 */
import recorded from "../fixtures/recorded.json";

type Frame = { id?: string | undefined; event?: string | undefined; data: string };

export type ChatScenario = "auto" | "answer" | "chart" | "approval" | "refusal" | "error" | "hang";

export interface ReplayOptions {
  /** Which recorded run answers a message; "auto" picks by the question ("chart", "approve", else answer). */
  scenario?: ChatScenario;
  /** Delay between frames (makes streaming visible in stories). Default 0. */
  frameDelayMs?: number;
  /** Document list: the recorded one, none, or an error. */
  documents?: "recorded" | "empty" | "error";
  /** Job events: the recorded sequence, or one that fails. */
  jobs?: "recorded" | "fail" | "slow";
  /** Called for every request (tests inspect headers and bodies). */
  onRequest?: (request: Request, body: unknown) => void;
}

export const fixtures = recorded as unknown as {
  chat: Record<"answer" | "chart" | "interrupted" | "resumed" | "refusal", Frame[]>;
  agui: { info: unknown } & Record<"answer" | "chart" | "interrupt", Frame[]>;
  content: Record<string, { document: { id: string; title: string | null }; text: string }>;
  documents: { documents: Array<Record<string, unknown>>; nextCursor: string | null };
  upload: { response: { jobs: Array<{ jobId: string }> }; jobEvents: Frame[] };
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const errorBody = (status: number, code: string, message: string) =>
  json(status, { error: { code, message, requestId: "req-replay" } });

function sse(frames: Frame[], delayMs: number, signal: AbortSignal | null, hang = false): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const f of frames) {
        if (signal?.aborted) return;
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        let text = "";
        if (f.id) text += `id: ${f.id}\n`;
        if (f.event) text += `event: ${f.event}\n`;
        text += `data: ${f.data}\n\n`;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          return; // the reader went away
        }
      }
      if (!hang) controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

/** AG-UI frames with the request's thread and run ids (the client checks they match). */
function withIds(frames: Frame[], threadId: string, runId: string): Frame[] {
  return frames.map((f) => {
    const event = JSON.parse(f.data) as Record<string, unknown>;
    if ("threadId" in event) event.threadId = threadId;
    if ("runId" in event) event.runId = runId;
    return { data: JSON.stringify(event) };
  });
}

function pickChat(scenario: ChatScenario, message: string): keyof (typeof fixtures)["chat"] {
  if (scenario === "answer" || scenario === "chart" || scenario === "refusal") return scenario;
  if (scenario === "approval") return "interrupted";
  if (/approv|line chart/i.test(message)) return "interrupted";
  if (/chart/i.test(message)) return "chart";
  if (/mars|unknown/i.test(message)) return "refusal";
  return "answer";
}

const lastUserText = (body: { messages?: Array<{ role?: string; content?: unknown }> }) => {
  const m = [...(body.messages ?? [])].reverse().find((x) => x.role === "user");
  return typeof m?.content === "string" ? m.content : "";
};

/** Creates the fake server. Paths are matched on their suffix, so any base path works. */
export function createReplayHandler(options: ReplayOptions = {}) {
  const { scenario = "auto", frameDelayMs = 0, documents = "recorded", jobs = "recorded" } = options;
  let uploadCount = 0;
  return async function replay(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^.*?\/(copilotkit|chat|runs|threads|documents|jobs)(\/|$)/, "/$1$2");
    const text =
      request.method === "GET" || request.method === "DELETE" ? "" : await request.text().catch(() => "");
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // multipart bodies stay text
    }
    options.onRequest?.(request, body);
    const signal = request.signal ?? null;

    // CopilotKit runtime protocol (AG-UI).
    if (path === "/copilotkit/info") return json(200, fixtures.agui.info);
    const agent = path.match(/^\/copilotkit\/agent\/([^/]+)\/(run|connect|stop)/);
    if (agent) {
      const input = (body ?? {}) as {
        threadId?: string;
        runId?: string;
        messages?: [];
        resume?: unknown;
        forwardedProps?: { command?: unknown };
      };
      const threadId = input.threadId ?? "thread";
      const runId = input.runId ?? "run";
      if (agent[2] === "stop") return json(200, { stopped: 1 });
      if (agent[2] === "connect") {
        return sse(
          withIds(
            [{ data: '{"type":"RUN_STARTED"}' }, { data: '{"type":"RUN_FINISHED"}' }].map((f) => ({
              data: JSON.stringify({ ...JSON.parse(f.data), threadId, runId }),
            })),
            threadId,
            runId,
          ),
          0,
          signal,
        );
      }
      if (scenario === "error") {
        return sse(
          [
            { data: JSON.stringify({ type: "RUN_STARTED", threadId, runId }) },
            {
              data: JSON.stringify({
                type: "RUN_ERROR",
                message: "The model provider is unavailable.",
                code: "service_unavailable",
              }),
            },
          ],
          frameDelayMs,
          signal,
        );
      }
      const resuming = input.resume !== undefined || input.forwardedProps?.command !== undefined;
      const question = lastUserText(input);
      const pick = resuming ? "chart" : pickChat(scenario, question);
      const frames =
        pick === "interrupted"
          ? fixtures.agui.interrupt
          : pick === "chart"
            ? fixtures.agui.chart
            : fixtures.agui.answer;
      return sse(withIds(frames, threadId, runId), frameDelayMs, signal, scenario === "hang");
    }

    // Plain SSE chat.
    if (path === "/chat/stream") {
      if (scenario === "error")
        return errorBody(503, "service_unavailable", "The model provider is unavailable.");
      const message = (body as { message?: string } | undefined)?.message ?? "";
      return sse(fixtures.chat[pickChat(scenario, message)], frameDelayMs, signal, scenario === "hang");
    }
    const resume = path.match(/^\/threads\/([^/]+)\/resume$/);
    if (resume) return sse(fixtures.chat.resumed, frameDelayMs, signal);
    const runEvents = path.match(/^\/runs\/([^/]+)\/events$/);
    if (runEvents) {
      const after = Number(request.headers.get("last-event-id") ?? 0);
      return sse(
        fixtures.chat.answer.filter((f) => Number(f.id) > after),
        frameDelayMs,
        signal,
      );
    }
    if (path === "/threads") {
      return json(200, {
        threads: [
          {
            threadId: "t-flights",
            title: "Economy flights and meals",
            runCount: 1,
            lastRunId: "r1",
            lastStatus: "completed",
            createdAt: "2026-11-20T09:00:00.000Z",
            updatedAt: "2026-11-20T09:01:00.000Z",
          },
          {
            threadId: "t-revenue",
            title: "Revenue by region",
            runCount: 2,
            lastRunId: "r2",
            lastStatus: "interrupted",
            createdAt: "2026-11-21T09:00:00.000Z",
            updatedAt: "2026-11-21T09:02:00.000Z",
          },
        ],
        nextCursor: null,
      });
    }
    const thread = path.match(/^\/threads\/([^/]+)$/);
    if (thread) {
      if (request.method === "DELETE") return new Response(null, { status: 204 });
      return errorBody(404, "not_found", "Thread not found.");
    }

    // Documents and jobs.
    const content = path.match(/^\/documents\/([^/]+)\/content$/);
    if (content) {
      const doc = fixtures.content[decodeURIComponent(content[1] ?? "")];
      return doc ? json(200, doc) : errorBody(404, "not_found", "Document not found.");
    }
    if (path === "/documents" && request.method === "GET") {
      if (documents === "error") return errorBody(503, "service_unavailable", "The database is unreachable.");
      return json(200, documents === "empty" ? { documents: [], nextCursor: null } : fixtures.documents);
    }
    if (path === "/documents" && request.method === "POST") {
      const files = [...text.matchAll(/filename="([^"]+)"/g)].map((m) => m[1] ?? "file");
      const rejected = files.find((f) => f.endsWith(".exe"));
      if (rejected) {
        const index = files.indexOf(rejected);
        return json(415, {
          error: {
            code: "unsupported_media_type",
            message: `Unsupported file type: ${rejected}`,
            requestId: "req-replay",
            details: [{ path: `file${index} (${rejected})`, message: "unsupported file type" }],
          },
        });
      }
      return json(202, {
        jobs: files.map((filename, i) => ({ jobId: `job-${++uploadCount}-${i}`, filename, sizeBytes: 100 })),
      });
    }
    const reindex = path.match(/^\/documents\/([^/]+)\/reindex$/);
    if (reindex) {
      const job = {
        id: "job-reindex",
        state: "queued",
        progress: 0,
        attempts: 0,
        maxAttempts: 3,
        lastError: null,
        errorCode: null,
        filename: null,
        sizeBytes: 0,
        documentId: reindex[1],
        result: null,
        createdAt: "2026-11-26T00:00:00.000Z",
        updatedAt: "2026-11-26T00:00:00.000Z",
        startedAt: null,
        finishedAt: null,
      };
      return json(202, { job });
    }
    const doc = path.match(/^\/documents\/([^/]+)$/);
    if (doc && request.method === "DELETE") return new Response(null, { status: 204 });
    const jobEvents = path.match(/^\/jobs\/([^/]+)\/events$/);
    if (jobEvents) {
      const jobId = decodeURIComponent(jobEvents[1] ?? "");
      const after = Number(request.headers.get("last-event-id") ?? 0);
      let frames = fixtures.upload.jobEvents.map((f) => ({
        ...f,
        data: JSON.stringify({ ...JSON.parse(f.data), jobId }),
      }));
      if (jobs === "fail" || jobId.endsWith("-1")) {
        frames = frames.slice(0, 4).concat({
          id: "5",
          event: "progress",
          data: JSON.stringify({
            id: "5",
            jobId,
            state: "failed",
            progress: 0.15,
            message: "Could not parse the PDF: the file is encrypted.",
            at: "2026-11-26T00:00:01.000Z",
          }),
        });
      }
      return sse(
        frames.filter((f) => Number(f.id) > after),
        jobs === "slow" ? Math.max(frameDelayMs, 400) : frameDelayMs,
        signal,
        jobs === "slow",
      );
    }
    return errorBody(404, "not_found", `No replay for ${request.method} ${path}`);
  };
}

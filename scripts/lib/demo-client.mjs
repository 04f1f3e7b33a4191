// A tiny HTTP client for the demo server: wait for it, sign in as a demo tenant, ask one question over the
// plain-SSE chat route and return the final `done` event. Used by the CI smoke test and the fresh-tree test.
import { createServer } from "node:net";
import { createParser } from "eventsource-parser";

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on("error", reject);
  });
}

/** Polls `GET /api/health` until it answers 2xx; fails early when `exited()` reports the server is gone. */
export async function waitForHealth(url, { timeoutMs, exited = () => null, intervalMs = 500 }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone !== null) throw new Error(`the demo exited (${gone}) before it was healthy`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`the demo was not healthy within ${Math.round(timeoutMs / 1000)} s`);
}

/** Signs in as a demo tenant and asks one question; resolves with the `done` event's data. */
export async function askDemo(url, { tenant = "acme", question, timeoutMs = 120_000 }) {
  const signal = AbortSignal.timeout(timeoutMs);
  const session = await fetch(`${url}/demo/token?tenant=${tenant}&user=smoke`, { signal });
  if (!session.ok) throw new Error(`sign-in failed: HTTP ${session.status}`);
  const { token } = await session.json();
  const response = await fetch(`${url}/api/chat/stream`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ message: question }),
    signal,
  });
  if (!response.ok) throw new Error(`chat failed: HTTP ${response.status} ${await response.text()}`);
  let done = null;
  let error = null;
  const parser = createParser({
    onEvent(event) {
      if (event.event === "done") done = JSON.parse(event.data);
      if (event.event === "error") error = JSON.parse(event.data);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }));
  if (error) throw new Error(`the run failed: ${error.code}: ${error.message}`);
  if (!done) throw new Error("the stream ended without a done event");
  return done;
}

/** A `done` event carries an answer with at least one citation whose marker appears in the text. */
export function checkCitedAnswer(done) {
  const citations = Array.isArray(done.citations) ? done.citations : [];
  if (citations.length === 0) throw new Error(`no citation in the answer: ${JSON.stringify(done.answer)}`);
  const first = citations[0];
  if (!String(done.answer).includes(`[${first.marker}]`)) {
    throw new Error(`the answer does not show its citation marker [${first.marker}]`);
  }
  return first;
}

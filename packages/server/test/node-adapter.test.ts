import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Served, serve } from "./support.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
  vi.restoreAllMocks();
});

/** Waits for a condition; no clock of its own — the test timeout is the guard against a hang. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe("toNodeHandler", () => {
  it("passes method, url, headers and body to the handler and the response back", async () => {
    let seen: { method: string; url: string; header: string | null; body: string } | undefined;
    served = await serve(async (request) => {
      seen = {
        method: request.method,
        url: request.url,
        header: request.headers.get("x-custom"),
        body: await request.text(),
      };
      const headers = new Headers({ "content-type": "text/plain", "x-reply": "yes" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response("hello back", { status: 201, headers });
    });
    const res = await fetch(`${served.url}/echo/path?x=1`, {
      method: "PUT",
      headers: { "x-custom": "value" },
      body: "payload",
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-reply")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.text()).toBe("hello back");
    expect(seen).toEqual({
      method: "PUT",
      url: `${served.url}/echo/path?x=1`,
      header: "value",
      body: "payload",
    });
  });

  it("streams a large request body into the handler without buffering it first", async () => {
    let chunks = 0;
    let bytes = 0;
    served = await serve(async (request) => {
      const reader = request.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks++;
        bytes += value.byteLength;
      }
      return Response.json({ chunks, bytes });
    });
    const size = 8 * 1024 * 1024;
    const part = new Uint8Array(64 * 1024).fill(97);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        controller.enqueue(part);
        sent += part.byteLength;
      },
    });
    const res = await fetch(`${served.url}/upload`, { method: "POST", body, duplex: "half" } as RequestInit);
    const result = (await res.json()) as { chunks: number; bytes: number };
    expect(result.bytes).toBe(size);
    expect(result.chunks).toBeGreaterThan(1);
  });

  it("drains an unread request body so the keep-alive connection stays usable", async () => {
    let calls = 0;
    served = await serve(async () => {
      calls++;
      return new Response("ignored your body", { status: 202 });
    });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${served.url}/ignore`, { method: "POST", body: "z".repeat(2 * 1024 * 1024) });
      expect(res.status).toBe(202);
      expect(await res.text()).toBe("ignored your body");
    }
    expect((await fetch(`${served.url}/after`)).status).toBe(202);
    expect(calls).toBe(4);
  });

  it("streams the response body chunk by chunk", async () => {
    served = await serve(async () => {
      let i = 0;
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, 5));
          if (i === 5) return controller.close();
          controller.enqueue(new TextEncoder().encode(`data: ${i++}\n\n`));
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    });
    const res = await fetch(`${served.url}/events`);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(await res.text()).toBe("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n");
  });

  it("aborts the request signal and cancels the response body when the client disconnects", async () => {
    let signal: AbortSignal | undefined;
    let cancelled = false;
    served = await serve(async (request) => {
      signal = request.signal;
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, 10));
          controller.enqueue(new TextEncoder().encode("tick\n"));
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    });
    // A raw client whose disconnect is certain: destroy() closes the socket (fetch's abort may keep it pooled).
    const url = new URL(`${served.url}/forever`);
    const firstChunk = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname }, (res) => {
        res.once("data", (chunk: Buffer) => {
          resolve(chunk.toString());
          req.destroy();
        });
      });
      // destroy() makes the request emit an error after we resolved; that rejection is a no-op.
      req.on("error", reject);
      req.end();
    });
    expect(firstChunk).toContain("tick");
    await until(() => cancelled && signal?.aborted === true);
    expect(signal?.aborted).toBe(true);
    expect(cancelled).toBe(true);
  });

  it("aborts the request signal when the client disconnects before the handler answers", async () => {
    let signal: AbortSignal | undefined;
    served = await serve(async (request) => {
      signal = request.signal;
      await new Promise<void>((resolve) => request.signal.addEventListener("abort", () => resolve()));
      return new Response("too late");
    });
    const controller = new AbortController();
    const pending = fetch(`${served.url}/slow`, { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => signal !== undefined);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await until(() => signal?.aborted === true);
  });

  it("answers HEAD without a body", async () => {
    served = await serve(async () => new Response("body", { headers: { "x-a": "1" } }));
    const res = await fetch(`${served.url}/`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-a")).toBe("1");
    expect(await res.text()).toBe("");
  });

  it("turns a throwing handler into a JSON 500 with a request id", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    served = await serve(async () => {
      throw new Error("boom");
    });
    const res = await fetch(`${served.url}/`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("internal_error");
    expect(res.headers.get("x-request-id")).toBe(body.error.requestId);
    expect(log).toHaveBeenCalled();
  });

  it("ignores a hostile Host header when building the request URL", async () => {
    let url = "";
    served = await serve(async (request) => {
      url = request.url;
      return new Response("ok");
    });
    const { port } = new URL(served.url);
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port, path: "/x", headers: { host: "evil.example/<script>" } },
        (res) => {
          res.resume();
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(url).toBe("http://localhost/x");
  });
});

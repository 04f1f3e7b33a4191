import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TenantContext } from "../../src/tenant/context.js";
import { collect, failures, type Harness, startHarness } from "./helpers.js";

describe("directory and URL list connectors", () => {
  let h: Harness;
  let ctx: TenantContext;
  let dir: string;
  let server: Server;
  let base: string;
  const hits: string[] = [];
  const pages = new Map<string, { body: string | Buffer; type: string; etag?: string; delayMs?: number }>();

  beforeAll(async () => {
    h = await startHarness();
    ctx = await h.tenant();
    dir = mkdtempSync(join(tmpdir(), "ragkit-dir-connector-"));
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      const page = pages.get(req.url ?? "");
      if (!page) {
        res.writeHead(404).end("not found");
        return;
      }
      if (req.headers.authorization !== "Bearer url-list-token") {
        res.writeHead(401).end();
        return;
      }
      const send = () => {
        res.writeHead(200, { "content-type": page.type, ...(page.etag ? { etag: page.etag } : {}) });
        res.end(req.method === "HEAD" ? undefined : page.body);
      };
      if (page.delayMs && req.method === "GET") setTimeout(send, page.delayMs);
      else send();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
    await h?.stop();
  });

  it("directory: globs, change detection by mtime and size, deletions, size limit, unusual names", async () => {
    mkdirSync(join(dir, "notes", "sub dir"), { recursive: true });
    writeFileSync(join(dir, "notes", "alpha.md"), "# Alpha\n\nThe alpha note about herons.");
    writeFileSync(join(dir, "notes", "sub dir", "bêta + 100%.txt"), "Beta note about egrets.");
    writeFileSync(join(dir, "notes", "big.txt"), "b".repeat(3000));
    writeFileSync(join(dir, "notes", "skip.log"), "not included");
    writeFileSync(join(dir, "outside.md"), "# Outside\n\nNot matched by the glob.");
    const c = await h.service.create(ctx, {
      kind: "dir",
      name: "notes",
      config: { root: dir, include: ["notes/**/*.{md,txt}"], maxBytes: 2048 },
    });
    const first = await collect(h.service.sync(ctx, c.id));
    expect(first.summary).toMatchObject({ listed: 3, created: 2, failed: 1 });
    expect(failures(first.events)).toEqual([
      expect.objectContaining({ key: "notes/big.txt", code: "too_large" }),
    ]);
    expect(await h.queue.drain()).toBe(2);
    const again = await collect(h.service.sync(ctx, c.id));
    expect(again.summary).toMatchObject({ unchanged: 3, fetched: 0, created: 0 });

    writeFileSync(join(dir, "notes", "alpha.md"), "# Alpha\n\nRewritten: the alpha note about storks.");
    utimesSync(join(dir, "notes", "alpha.md"), new Date(), new Date(Date.now() + 5_000));
    unlinkSync(join(dir, "notes", "sub dir", "bêta + 100%.txt"));
    const third = await collect(h.service.sync(ctx, c.id));
    expect(third.summary).toMatchObject({ updated: 1, deleted: 1, fetched: 1 });
    expect(await h.queue.drain()).toBe(1);
    const docs = await h.store.listDocuments(ctx, { limit: 10 });
    expect(docs.documents.map((d) => [d.source, d.sourceId])).toEqual([["dir", `${c.id}:notes/alpha.md`]]);
    const text = await h.store.getDocumentText(ctx, docs.documents[0]!.id);
    expect(text.text).toContain("storks");
  });

  it("directory: patterns may not climb out of the root", async () => {
    await expect(
      h.service.create(ctx, { kind: "dir", name: "escape", config: { root: dir, include: ["../**/*"] } }),
    ).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("URL list: HTML through the HTML loader, ETag change detection, per-URL failures and limits", async () => {
    pages.set("/guide.html", {
      type: "text/html; charset=utf-8",
      etag: '"v1"',
      body: "<html><head><title>Guide</title></head><body><nav>menu</nav><h1>Guide</h1><p>Feed the llamas at noon.</p></body></html>",
    });
    pages.set("/plain", { type: "text/plain", body: "Plain text without an ETag about alpacas." });
    pages.set("/huge.txt", { type: "text/plain", etag: '"h"', body: "z".repeat(5000) });
    pages.set("/slow.txt", { type: "text/plain", etag: '"s"', body: "slow", delayMs: 6_000 });
    const c = await h.service.create(ctx, {
      kind: "urls",
      name: "web",
      config: {
        urls: [
          `${base}/guide.html`,
          `${base}/plain`,
          `${base}/missing.html`,
          `${base}/huge.txt`,
          `${base}/slow.txt`,
        ],
        maxBytes: 4096,
        timeoutMs: 2_000, // generous: the other pages must answer within it on a loaded 2-core machine
      },
      credentials: { headers: { Authorization: "Bearer url-list-token" } },
    });
    expect(JSON.stringify(await h.service.get(ctx, c.id))).not.toContain("url-list-token");
    const first = await collect(h.service.sync(ctx, c.id));
    expect(first.summary).toMatchObject({ listed: 5, created: 2, failed: 3 });
    const failed = Object.fromEntries(failures(first.events).map((f) => [f.key.slice(base.length), f.code]));
    expect(failed).toEqual({
      "/missing.html": "source_not_found",
      "/huge.txt": "too_large",
      "/slow.txt": "network",
    });
    expect(failures(first.events).find((f) => f.key.endsWith("/slow.txt"))?.message).toMatch(
      /timed out after 2000 ms/,
    );
    expect(await h.queue.drain()).toBe(2);
    const guide = (await h.store.listDocuments(ctx, { limit: 50 })).documents.find(
      (d) => d.sourceId === `${c.id}:${base}/guide.html`,
    );
    expect(guide).toMatchObject({ source: "urls", mimeType: "text/html", sourceUrl: `${base}/guide.html` });
    const text = await h.store.getDocumentText(ctx, guide!.id);
    expect(text.text).toContain("Feed the llamas at noon.");
    expect(text.text).not.toContain("<p>");

    // Unchanged: HEAD only for ETag pages; the page without an ETag is fetched and found identical by hash.
    hits.splice(0);
    const again = await collect(h.service.sync(ctx, c.id));
    expect(again.summary).toMatchObject({ created: 0, updated: 0, jobIds: [] });
    expect(hits.filter((x) => x.startsWith("GET"))).toEqual(expect.not.arrayContaining(["GET /guide.html"]));
    expect(hits).toContain("GET /plain");

    pages.set("/guide.html", {
      ...pages.get("/guide.html")!,
      etag: '"v2"',
      body: "<p>Feed the llamas at one.</p>",
    });
    const third = await collect(h.service.sync(ctx, c.id));
    expect(third.summary).toMatchObject({ updated: 1 });
    expect(await h.queue.drain()).toBe(1);
  });
});

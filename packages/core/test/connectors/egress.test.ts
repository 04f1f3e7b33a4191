import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../../src/connectors/crypto.js";
import { ConnectorService } from "../../src/connectors/service.js";
import { ValidationError } from "../../src/errors/index.js";
import type { EgressOptions } from "../../src/net/policy.js";
import type { TenantContext } from "../../src/tenant/context.js";
import { PUBLIC, scripted, serve, type TestServer } from "../net/support.js";
import { collect, failures, type Harness, startHarness } from "./helpers.js";

/**
 * The egress policy on the connector paths: create/update refuse a configuration (ValidationError → 400 in
 * the server) and a sync refuses each connection, also for configurations stored before (or by a more
 * permissive service). "Allowed" servers listen on 127.0.0.1, "forbidden" ones on 127.0.0.2; public-looking
 * names come from injected resolvers, and a refused connection is refused before it is opened.
 */
describe("connector egress policy", () => {
  let h: Harness;
  let ctx: TenantContext;
  let site: TestServer;
  let forbidden: TestServer;
  const service = (egress: EgressOptions) =>
    new ConnectorService(h.store, h.queue, { secrets: new SecretBox(h.key), egress });
  const dns = () =>
    scripted({
      "docs.example.com": [["127.0.0.1"]],
      "rebind.example.com": [[PUBLIC], ["127.0.0.1"]],
      "metadata.example.com": [["169.254.169.254"]],
      "s3.example.com": [["127.0.0.2"]],
      "public.example.com": [[PUBLIC]],
    });

  beforeAll(async () => {
    h = await startHarness();
    ctx = await h.tenant();
    forbidden = await serve("127.0.0.2", (_req, res) => res.end("internal secret"));
    site = await serve("127.0.0.1", (req, res) => {
      if (req.url === "/to-forbidden") {
        res.writeHead(302, { location: `${forbidden.origin}/admin` });
        res.end();
      } else if (req.url === "/to-metadata") {
        res.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/iam/" });
        res.end();
      } else if (req.url === "/loop") {
        res.writeHead(307, { location: "/loop" });
        res.end();
      } else {
        res.writeHead(200, { "content-type": "text/plain", etag: '"1"' });
        res.end("A page about llamas.");
      }
    });
  });
  afterAll(async () => {
    await Promise.all([site?.close(), forbidden?.close()]);
    await h?.stop();
  });

  describe("at create/update time (public only by default)", () => {
    const refusedConfigs: Array<[string, "urls" | "s3" | "sharepoint", Record<string, unknown>, RegExp]> = [
      ["a URL list on localhost.", "urls", { urls: ["http://localhost./"] }, /urls\.0: .*loopback/],
      ["a URL list on localhost%2e", "urls", { urls: ["http://localhost%2e/"] }, /urls\.0: .*loopback/],
      ["a URL list on [::127.0.0.1]", "urls", { urls: ["http://[::127.0.0.1]/"] }, /IPv4-compatible/],
      ["NAT64 of the metadata address", "urls", { urls: ["http://[64:ff9b::a9fe:a9fe]/"] }, /NAT64/],
      ["benchmarking 198.18/15", "urls", { urls: ["http://198.18.0.1/"] }, /reserved/],
      ["multicast 224/4", "urls", { urls: ["http://224.0.0.1/"] }, /multicast/],
      ["the broadcast address", "urls", { urls: ["http://255.255.255.255/"] }, /broadcast/],
      ["documentation 2001:db8::/32", "urls", { urls: ["http://[2001:db8::1]/"] }, /reserved/],
      [
        "a name resolving to loopback",
        "urls",
        { urls: ["https://docs.example.com/"] },
        /resolves to a loopback/,
      ],
      ["a URL with credentials", "urls", { urls: ["http://user:pw@public.example.com/"] }, /credentials/],
      [
        "an S3 endpoint on loopback",
        "s3",
        { bucket: "docs", endpoint: "http://127.0.0.1:9000" },
        /endpoint: /,
      ],
      [
        "an S3 endpoint on the metadata address",
        "s3",
        { bucket: "docs", endpoint: "http://169.254.169.254" },
        /link-local/,
      ],
      [
        "an S3 endpoint resolving to loopback",
        "s3",
        { bucket: "docs", endpoint: "http://s3.example.com" },
        /resolves to a loopback/,
      ],
      [
        "a SharePoint graphBaseUrl on loopback",
        "sharepoint",
        { tenantId: "contoso", clientId: "c", driveId: "b!x", graphBaseUrl: "http://localhost:8080/v1.0" },
        /graphBaseUrl: .*loopback/,
      ],
      [
        "a SharePoint authorityUrl on the metadata address",
        "sharepoint",
        { tenantId: "contoso", clientId: "c", driveId: "b!x", authorityUrl: "http://metadata.example.com" },
        /authorityUrl: .*resolves to a link-local/,
      ],
    ];

    it.each(refusedConfigs)("refuses %s", async (_what, kind, config, message) => {
      const strict = service({ resolve: dns() });
      const credentials =
        kind === "s3"
          ? { accessKeyId: "a", secretAccessKey: "b" }
          : kind === "sharepoint"
            ? { clientSecret: "s" }
            : {};
      const error = await strict
        .create(ctx, { kind, name: "x", config, credentials } as Parameters<ConnectorService["create"]>[1])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(message);
      expect((error as ValidationError).details[0]?.path).toMatch(
        /^(urls\.0|endpoint|graphBaseUrl|authorityUrl)$/,
      );
    });

    it("names every refused URL of a list (the first 20) and stores nothing", async () => {
      const strict = service({ resolve: dns() });
      const before = (await strict.list(ctx)).length;
      const urls = [
        "https://public.example.com/ok",
        ...Array.from({ length: 25 }, (_, i) => `http://10.0.0.${i + 1}/`),
        "http://localhost./",
      ];
      const error = (await strict
        .create(ctx, { kind: "urls", name: "many", config: { urls } })
        .catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.details).toHaveLength(20);
      expect(error.details[0]).toMatchObject({ path: "urls.1", message: expect.stringMatching(/private/) });
      // 25 literals refused without DNS; with 20 to show, the names are not resolved at all.
      expect(error.message).toMatch(/\(and 5 more\)$/);
      expect((await strict.list(ctx)).length).toBe(before);
    });

    it("refuses an update to a refused endpoint and keeps the stored configuration", async () => {
      const strict = service({ resolve: dns() });
      const c = await strict.create(ctx, {
        kind: "urls",
        name: "public",
        config: { urls: ["https://public.example.com/a"] },
      });
      await expect(strict.update(ctx, c.id, { config: { urls: ["http://0x7f.1/"] } })).rejects.toThrow(
        /urls\.0: Refused to connect to 127\.0\.0\.1: it is a loopback address/,
      );
      expect((await strict.get(ctx, c.id)).config).toMatchObject({ urls: ["https://public.example.com/a"] });
      await expect(strict.update(ctx, c.id, { name: "renamed" })).resolves.toMatchObject({ name: "renamed" });
    });

    it("accepts explicitly allowed private endpoints (e.g. a MinIO on the private network)", async () => {
      const permissive = service({ allow: ["10.0.0.0/8", "minio.internal"], resolve: dns() });
      await expect(
        permissive.create(ctx, {
          kind: "s3",
          name: "minio",
          config: { bucket: "docs", endpoint: "http://minio.internal:9000", forcePathStyle: true },
          credentials: { accessKeyId: "a", secretAccessKey: "b" },
        }),
      ).resolves.toMatchObject({ kind: "s3" });
      await expect(
        permissive.create(ctx, {
          kind: "urls",
          name: "intranet",
          config: { urls: ["http://10.1.2.3/wiki"] },
        }),
      ).resolves.toMatchObject({ kind: "urls" });
    });
  });

  describe("at sync time (the connection itself)", () => {
    it("refuses stored URLs the sync's policy does not allow, without connecting", async () => {
      const c = await service({ allow: ["127.0.0.1"] }).create(ctx, {
        kind: "urls",
        name: "stored",
        config: { urls: [`${site.origin}/page`] },
      });
      const before = site.connections;
      const run = await collect(service({}).sync(ctx, c.id));
      expect(run.summary).toMatchObject({ listed: 1, created: 0, failed: 1 });
      expect(failures(run.events)).toEqual([
        expect.objectContaining({ code: "egress_refused", message: expect.stringMatching(/loopback/) }),
      ]);
      expect(site.connections).toBe(before);
    });

    it("refuses a name that resolved to a public address at creation and to loopback at sync (rebinding)", async () => {
      const rebinding = service({ resolve: dns() });
      const c = await rebinding.create(ctx, {
        kind: "urls",
        name: "rebind",
        config: { urls: [`http://rebind.example.com:${site.port}/page`] },
      });
      const before = site.connections;
      const run = await collect(rebinding.sync(ctx, c.id));
      expect(failures(run.events)).toEqual([
        expect.objectContaining({
          code: "egress_refused",
          message: expect.stringMatching(/resolves to a loopback/),
        }),
      ]);
      expect(site.connections).toBe(before);
    });

    it("refuses a redirect from an allowed server to a refused address at the hop, and bounds loops", async () => {
      const allowed = service({ allow: ["127.0.0.1"] });
      const c = await allowed.create(ctx, {
        kind: "urls",
        name: "redirects",
        config: {
          urls: [
            `${site.origin}/to-forbidden`,
            `${site.origin}/to-metadata`,
            `${site.origin}/loop`,
            `${site.origin}/ok`,
          ],
        },
      });
      const before = forbidden.connections;
      const run = await collect(allowed.sync(ctx, c.id));
      const failed = Object.fromEntries(
        failures(run.events).map((f) => [f.key.slice(site.origin.length), f.message]),
      );
      expect(failed).toEqual({
        "/to-forbidden": expect.stringMatching(/127\.0\.0\.2.*loopback/),
        "/to-metadata": expect.stringMatching(/169\.254\.169\.254.*link-local/),
        "/loop": expect.stringMatching(/redirected more than 5 times/),
      });
      expect(run.summary).toMatchObject({ created: 1, failed: 3 });
      expect(forbidden.connections).toBe(before);
    });

    it("refuses a stored S3 endpoint at sync, before connecting (literal and resolved name)", async () => {
      const loose = service({ allow: ["127.0.0.0/8", "s3.example.com"], resolve: dns() });
      const strict = service({ allow: ["127.0.0.1"], resolve: dns() });
      const before = forbidden.connections;
      for (const endpoint of [forbidden.origin, `http://s3.example.com:${forbidden.port}`]) {
        const c = await loose.create(ctx, {
          kind: "s3",
          name: `s3 ${endpoint}`,
          config: { bucket: "docs", endpoint, forcePathStyle: true, maxAttempts: 1 },
          credentials: { accessKeyId: "a", secretAccessKey: "b" },
        });
        const error = await collect(strict.sync(ctx, c.id)).catch((e: unknown) => e);
        expect(error).toMatchObject({ failure: "egress_refused", code: "invalid_input" });
        expect((error as Error).message).toMatch(/Refused to connect to (127\.0\.0\.2|s3\.example\.com)/);
        expect((await strict.get(ctx, c.id)).lastSync).toMatchObject({ status: "failed" });
      }
      expect(forbidden.connections).toBe(before);
    });

    it("refuses SharePoint's token, Graph and download hops to refused addresses", async () => {
      // A minimal Graph on loopback (the wire format is replayed in sharepoint.test.ts): the token and delta
      // endpoints answer, and the download 302s to another host, as Graph does.
      const graph = await serve("127.0.0.1", (req, res) => {
        const url = req.url ?? "";
        res.setHeader("content-type", "application/json");
        if (url.endsWith("/oauth2/v2.0/token")) {
          res.end(JSON.stringify({ access_token: "t", expires_in: 3599 }));
        } else if (url.includes("/root/delta")) {
          const item = (id: string) => ({
            id,
            name: `${id}.txt`,
            cTag: `c${id}`,
            file: { mimeType: "text/plain" },
          });
          res.end(JSON.stringify({ value: [item("A"), item("B")], "@odata.deltaLink": "x" }));
        } else if (url.includes("/items/A/content")) {
          res.writeHead(302, { location: `${forbidden.origin}/download/A` });
          res.end();
        } else if (url.includes("/items/B/content")) {
          res.writeHead(302, { location: "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/" });
          res.end();
        } else {
          res.statusCode = 404;
          res.end("{}");
        }
      });
      try {
        const config = {
          tenantId: "contoso",
          clientId: "c",
          driveId: "b!x",
          graphBaseUrl: `${graph.origin}/v1.0`,
          authorityUrl: graph.origin,
          retries: 0,
        };
        const allowed = service({ allow: ["127.0.0.1"] });
        const c = await allowed.create(ctx, {
          kind: "sharepoint",
          name: "sp",
          config,
          credentials: { clientSecret: "s" },
        });
        const before = forbidden.connections;
        const run = await collect(allowed.sync(ctx, c.id));
        expect(failures(run.events).map((f) => [f.key, f.code])).toEqual([
          ["A", "egress_refused"],
          ["B", "egress_refused"],
        ]);
        expect(forbidden.connections).toBe(before);

        // The same stored endpoints under the default policy: refused at the token request, no connection.
        const graphBefore = graph.connections;
        const error = await collect(service({}).sync(ctx, c.id)).catch((e: unknown) => e);
        expect(error).toMatchObject({ failure: "egress_refused" });
        expect((error as Error).message).toMatch(/127\.0\.0\.1.*loopback/);
        expect(graph.connections).toBe(graphBefore);
      } finally {
        await graph.close();
      }
    });
  });
});

import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Egress } from "../../src/net/egress.js";
import { type EgressRefusedError, egressRefusalOf } from "../../src/net/errors.js";
import { PUBLIC, scripted, serve, serveTwins, type TestServer } from "./support.js";

/**
 * Real HTTP servers on loopback: "allowed" on 127.0.0.1 (allow-listed, as a host would allow a private MinIO)
 * and "forbidden" on 127.0.0.2 (loopback too, not allow-listed). Public-looking names come from injected
 * resolvers; no test ever connects off loopback (a refused "public" answer is never reached).
 */
async function refusal(promise: Promise<unknown>): Promise<EgressRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  const refused = egressRefusalOf(error);
  if (!refused) throw new Error(`expected an egress refusal, got ${String(error)}`);
  return refused;
}

describe("Egress over real local servers", () => {
  let allowed: TestServer;
  let other: TestServer;
  let forbidden: TestServer;

  beforeAll(async () => {
    forbidden = await serve("127.0.0.2", (_req, res) => res.end("secret"));
    other = await serve("127.0.0.1", (_req, res) => res.end("other"));
    allowed = await serve("127.0.0.1", (req, res, body) => {
      const url = new URL(req.url ?? "/", "http://x");
      const to = url.searchParams.get("to");
      if (url.pathname === "/redirect" && to) {
        res.writeHead(Number(url.searchParams.get("status") ?? 302), { location: to });
        res.end();
      } else if (url.pathname === "/loop") {
        res.writeHead(302, { location: "/loop" });
        res.end();
      } else {
        res.end(`${req.method} ${url.pathname} ${body}`);
      }
    });
  });
  afterAll(async () => {
    await Promise.all([allowed?.close(), other?.close(), forbidden?.close()]);
  });

  it("refuses a public-looking name whose resolver answers loopback, before connecting", async () => {
    const egress = new Egress({ resolve: scripted({ "docs.example.com": [["127.0.0.1"]] }) });
    const before = allowed.connections;
    const refused = await refusal(egress.fetch(`http://docs.example.com:${allowed.port}/`));
    expect(refused.message).toBe(
      "Refused to connect to docs.example.com: it resolves to a loopback address, which this server's egress policy does not allow.",
    );
    expect(allowed.connections).toBe(before);
    await egress.close();
  });

  it("connects to allow-listed addresses, by literal and by name", async () => {
    const dns = scripted({ "minio.test": [["127.0.0.1"]] });
    const egress = new Egress({ allow: ["127.0.0.1"], resolve: dns });
    expect(await (await egress.fetch(`${allowed.origin}/a`)).text()).toBe("GET /a ");
    expect(await (await egress.fetch(`http://minio.test:${allowed.port}/b`)).text()).toBe("GET /b ");
    expect(dns.calls).toEqual(["minio.test"]);
    await egress.close();
  });

  it("DNS rebinding: a name that answers public, then loopback, never gets a loopback connection", async () => {
    // The configuration-time check sees the public answer; the connection resolves again (once) and is refused.
    const dns = scripted({ "rebind.example.com": [[PUBLIC], ["127.0.0.1"]] });
    const egress = new Egress({ resolve: dns });
    await expect(egress.verifyUrl(`http://rebind.example.com:${allowed.port}/`)).resolves.toBeUndefined();
    const before = allowed.connections;
    await refusal(egress.fetch(`http://rebind.example.com:${allowed.port}/`));
    expect(allowed.connections).toBe(before);
    expect(dns.calls).toEqual(["rebind.example.com", "rebind.example.com"]);
    await egress.close();
  });

  it("pins: each connection uses the one answer it checked, so an alternating resolver cannot reach the refused address", async () => {
    // Same port on 127.0.0.1 (allowed) and 127.0.0.2 (refused): only the pinned address decides which answers.
    const [refusedTwin, twin] = await serveTwins(
      "127.0.0.2",
      (_req, res) => res.end("secret"),
      "127.0.0.1",
      (_req, res) => res.end("twin"),
    );
    const answers = Array.from({ length: 8 }, (_, i) => [i % 2 === 0 ? "127.0.0.1" : "127.0.0.2"]);
    const dns = scripted({ "flip.example.com": answers });
    const outcomes: string[] = [];
    for (let i = 0; i < answers.length; i++) {
      const egress = new Egress({ allow: ["127.0.0.1"], resolve: dns }); // fresh pool: a new connection each time
      try {
        outcomes.push(await (await egress.fetch(`http://flip.example.com:${twin.port}/`)).text());
      } catch (error) {
        outcomes.push(egressRefusalOf(error) ? "refused" : `error ${String(error)}`);
      } finally {
        await egress.close();
      }
    }
    await Promise.all([twin.close(), refusedTwin.close()]);
    expect(outcomes).toEqual(answers.map((_, i) => (i % 2 === 0 ? "twin" : "refused")));
    expect(refusedTwin.connections).toBe(0);
    expect(dns.calls).toHaveLength(answers.length); // one resolution per connection, never a second one
  });

  it.each([
    ["a non-allowed loopback literal", (f: TestServer) => `${f.origin}/`],
    ["its IPv4-mapped form", (f: TestServer) => `http://[::ffff:127.0.0.2]:${f.port}/`],
    ["a name resolving to it", (f: TestServer) => `http://internal.example.com:${f.port}/`],
    ["localhost (127.0.0.1 and ::1; ::1 is not allowed)", (f: TestServer) => `http://localhost:${f.port}/`],
    ["the metadata service", () => "http://169.254.169.254/latest/meta-data/"],
    ["NAT64 of the metadata service", () => "http://[64:ff9b::a9fe:a9fe]/"],
    ["a file URL", () => "file:///etc/passwd"],
    ["a URL with credentials", (f: TestServer) => `http://user:pw@127.0.0.1:${f.port}/`],
  ])("refuses a redirect hop to %s", async (_what, target) => {
    const egress = new Egress({
      allow: ["127.0.0.1"],
      resolve: scripted({ "internal.example.com": [["127.0.0.2"]] }),
    });
    const to = encodeURIComponent(target(forbidden));
    const before = forbidden.connections;
    await refusal(egress.fetch(`${allowed.origin}/redirect?to=${to}`));
    expect(forbidden.connections).toBe(before);
    await egress.close();
  });

  it("follows allowed redirects itself, bounded: a loop stops after maxRedirects hops", async () => {
    const egress = new Egress({ allow: ["127.0.0.1"] });
    const res = await egress.fetch(`${allowed.origin}/redirect?to=/final`);
    expect(await res.text()).toBe("GET /final ");
    const before = allowed.requests.length;
    const refused = await refusal(egress.fetch(`${allowed.origin}/loop`));
    expect(refused.message).toMatch(/redirected more than 5 times/);
    expect(allowed.requests.length - before).toBe(6);
    const strict = new Egress({ allow: ["127.0.0.1"], maxRedirects: 0 });
    await expect(strict.fetch(`${allowed.origin}/redirect?to=/final`)).rejects.toThrow(/more than 0/);
    await Promise.all([egress.close(), strict.close()]);
  });

  it("drops credential headers on a cross-origin hop and keeps them on a same-origin one", async () => {
    const egress = new Egress({ allow: ["127.0.0.1"] });
    const headers = { authorization: "Bearer t0ken", "x-api-key": "k3y", accept: "text/plain" };
    await egress.fetch(`${allowed.origin}/redirect?to=${encodeURIComponent(`${other.origin}/x`)}`, {
      headers,
      credentialHeaders: ["X-Api-Key"],
    });
    const cross = other.requests.at(-1)!;
    expect(cross.headers.authorization).toBeUndefined();
    expect(cross.headers["x-api-key"]).toBeUndefined();
    expect(cross.headers.accept).toBe("text/plain");
    await egress.fetch(`${allowed.origin}/redirect?to=/same`, { headers, credentialHeaders: ["x-api-key"] });
    const same = allowed.requests.at(-1)!;
    expect(same).toMatchObject({
      url: "/same",
      headers: { authorization: "Bearer t0ken", "x-api-key": "k3y" },
    });
    await egress.close();
  });

  it("rewrites methods as fetch does: 303 becomes a body-less GET, 307 repeats the POST with its body", async () => {
    const egress = new Egress({ allow: ["127.0.0.1"] });
    const post = {
      method: "POST",
      body: "a=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    };
    expect(await (await egress.fetch(`${allowed.origin}/redirect?to=/after&status=303`, post)).text()).toBe(
      "GET /after ",
    );
    expect(await (await egress.fetch(`${allowed.origin}/redirect?to=/again&status=307`, post)).text()).toBe(
      "POST /again a=1",
    );
    await egress.close();
  });

  it("node:http agents (for the AWS SDK) refuse literals and resolved names, and connect to allowed ones", async () => {
    const egress = new Egress({
      allow: ["127.0.0.1"],
      resolve: scripted({ "s3.example.com": [["127.0.0.2"]], "minio.test": [["127.0.0.1"]] }),
    });
    const get = (host: string, port: number) => {
      const { httpAgent } = egress.nodeAgents();
      return new Promise<string>((resolve, reject) => {
        const req = http.get({ host, port, path: "/agent", agent: httpAgent }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.on("close", () => httpAgent.destroy());
      });
    };
    const before = forbidden.connections;
    await refusal(get("127.0.0.2", forbidden.port));
    await refusal(get("s3.example.com", forbidden.port));
    await refusal(get("::ffff:127.0.0.2", forbidden.port));
    expect(forbidden.connections).toBe(before);
    expect(await get("minio.test", allowed.port)).toBe("GET /agent ");
    expect(await get("127.0.0.1", allowed.port)).toBe("GET /agent ");
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/index.js";
import { EgressRefusedError } from "../../src/net/errors.js";
import { parseHost } from "../../src/net/host.js";
import { EgressPolicy, type HostResolver } from "../../src/net/policy.js";
import { PUBLIC, scripted } from "./support.js";

const dns = scripted({
  "docs.example.com": [[PUBLIC]],
  "v6.example.com": [["2606:4700:4700::1111"]],
  "internal.example.com": [["10.0.0.5"]],
  "mixed.example.com": [[PUBLIC, "127.0.0.1"]],
  "metadata.example.com": [["169.254.169.254"]],
  "mapped.example.com": [["::ffff:127.0.0.1"]],
  "nat64.example.com": [["64:ff9b::a9fe:a9fe"]],
  "127.0.0.1.nip.io": [["127.0.0.1"]],
  "minio.internal": [["192.168.5.5"]],
  "s3.corp.example": [["10.9.9.9"]],
  // What a resolver may answer for "localhost." from DNS: ignored, localhost names never reach the resolver.
  localhost: [[PUBLIC]],
});

/** Each URL of the issue and its kin: refused by the default (public-only) policy before any connection. */
const refusedUrls = [
  // localhost spellings: trailing dots, percent-encoding, IDNA/full-width, case, subdomains
  "http://localhost/",
  "http://localhost./",
  "http://localhost../",
  "http://localhost%2e/",
  "http://localhost%2E:8080/x",
  "http://LOCALHOST./",
  "http://%6c%6f%63%61%6c%68%6f%73%74/",
  "http://ｌｏｃａｌｈｏｓｔ/",
  "http://locａlhost/",
  "http://foo.localhost/",
  "http://foo.localhost./",
  // IPv4 loopback in every number form the URL parser and inet_aton accept
  "http://127.0.0.1/",
  "http://127.0.0.1./",
  "http://127.0.0.1%2e/",
  "http://127.1/",
  "http://127.0.1/",
  "http://0177.0.0.1/",
  "http://0x7f.0.0.1/",
  "http://0x7f.1/",
  "http://0x7f000001/",
  "http://2130706433/",
  "http://017700000001/",
  "http://①②⑦.0.0.1/",
  "http://0/",
  "http://0.0.0.0:8080/",
  // IPv6 loopback, unspecified, mapped/compatible forms
  "http://[::1]/",
  "http://[0:0:0:0:0:0:0:1]/",
  "http://[::]/",
  "http://[::127.0.0.1]/",
  "http://[::7f00:1]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:7f00:1]/",
  "http://[0:0:0:0:0:ffff:7f00:1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[::ffff:0:7f00:1]/",
  // cloud metadata, directly and through NAT64 / 6to4 / Teredo
  "http://169.254.169.254/latest/meta-data/",
  "http://[fd00:ec2::254]/latest/meta-data/",
  "http://[64:ff9b::a9fe:a9fe]/",
  "http://[64:ff9b::169.254.169.254]/",
  "http://[64:ff9b::7f00:1]/",
  "http://[64:ff9b:1::a9fe:a9fe]/",
  "http://[2002:a9fe:a9fe::1]/",
  "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
  // private, CGNAT, link-local, unique-local
  "http://10.0.0.1/",
  "http://172.16.0.1/",
  "http://192.168.0.1/",
  "http://100.64.0.1/",
  "http://[fe80::1]/",
  "http://[fc00::1]/",
  // special-purpose ranges
  "http://198.18.0.1/",
  "http://198.19.255.255/",
  "http://224.0.0.1/",
  "http://239.255.255.250/",
  "http://255.255.255.255/",
  "http://240.0.0.1/",
  "http://192.0.2.1/",
  "http://198.51.100.1/",
  "http://203.0.113.1/",
  "http://192.0.0.170/",
  "http://[2001:db8::1]/",
  "http://[2001:db8:ffff::1]/",
  "http://[3fff::1]/",
  "http://[ff02::1]/",
  "http://[100::1]/",
  "http://[2001:2::1]/",
  // not http(s), or credentials in the URL
  "ftp://example.com/file",
  "file:///etc/passwd",
  "gopher://example.com/",
  "ws://example.com/",
  "http://user:secret@example.com/",
  "http://user@example.com/",
  "https://:pw@example.com/",
  // names that resolve to refused addresses (the injected resolver above)
  "http://internal.example.com/",
  "http://mixed.example.com/",
  "http://metadata.example.com/",
  "http://mapped.example.com/",
  "http://nat64.example.com/",
  "http://127.0.0.1.nip.io/",
  "http://INTERNAL.example.com./",
];

const allowedUrls = [
  "https://docs.example.com/guide.html",
  "https://DOCS.EXAMPLE.COM./guide.html",
  "http://v6.example.com/",
  "http://93.184.215.14/",
  "http://[2606:4700:4700::1111]/",
  "http://[64:ff9b::808:808]/",
  // unknown now: accepted at configuration time (each connection is checked anyway)
  "https://not-yet-registered.example.org/",
];

async function verdict(policy: EgressPolicy, url: string): Promise<"allowed" | string> {
  try {
    const parsed = policy.checkUrl(url);
    await policy.resolve(parsed.hostname).catch((error: unknown) => {
      if (!(error instanceof EgressRefusedError)) return; // unknown name: not refused
      throw error;
    });
    return "allowed";
  } catch (error) {
    if (error instanceof EgressRefusedError) return error.message;
    throw error;
  }
}

describe("EgressPolicy (default: public only)", () => {
  const policy = new EgressPolicy({ resolve: dns });

  it.each(refusedUrls)("refuses %s", async (url) => {
    expect(await verdict(policy, url)).toMatch(/^Refused to connect to .+: .+\.$/);
  });

  it.each(allowedUrls)("allows %s", async (url) => {
    expect(await verdict(policy, url)).toBe("allowed");
  });

  it("names the kind of address, never the address a name resolved to", async () => {
    expect(await verdict(policy, "http://internal.example.com/")).toBe(
      "Refused to connect to internal.example.com: it resolves to a private address, which this server's egress policy does not allow.",
    );
    expect(await verdict(policy, "http://[64:ff9b::a9fe:a9fe]/")).toMatch(
      /a NAT64 address of a non-public IPv4 address/,
    );
    expect(await verdict(policy, "http://0x7f.1/")).toMatch(/127\.0\.0\.1: it is a loopback address/);
    expect(await verdict(policy, "file:///etc/passwd")).toMatch(/only http and https URLs/);
  });

  it("answers localhost names itself (RFC 6761) and never asks the resolver", async () => {
    const before = dns.calls.length;
    await expect(policy.resolve("localhost.")).rejects.toThrow(/loopback/);
    await expect(policy.resolve("a.b.localhost")).rejects.toThrow(/loopback/);
    expect(dns.calls.slice(before)).toEqual([]);
  });

  it("resolves once and returns exactly the addresses it checked", async () => {
    const before = dns.calls.length;
    const addresses = await policy.resolve("docs.example.com.");
    expect(addresses.map((a) => a.address)).toEqual([PUBLIC]);
    expect(dns.calls.slice(before)).toEqual(["docs.example.com"]);
  });

  it("checks the peer address of an open connection", () => {
    expect(() => policy.checkConnected("docs.example.com", PUBLIC)).not.toThrow();
    expect(() => policy.checkConnected("docs.example.com", "127.0.0.1")).toThrow(EgressRefusedError);
    expect(() => policy.checkConnected("docs.example.com", "::ffff:127.0.0.1")).toThrow(EgressRefusedError);
    expect(() => policy.checkConnected("docs.example.com", undefined)).toThrow(/no peer address/);
  });
});

describe("EgressPolicy allow-list", () => {
  const policy = new EgressPolicy({
    allow: ["10.0.0.0/8", "minio.internal", "*.corp.example", "::1", "fd00::/8"],
    resolve: dns,
  });

  it.each([
    "http://10.1.2.3:9000/",
    "http://internal.example.com/", // resolves into 10.0.0.0/8
    "http://minio.internal:9000/", // allowed by name (resolves to 192.168.5.5)
    "http://MINIO.INTERNAL.:9000/",
    "http://s3.corp.example/",
    "http://[::1]:8080/",
    "http://[fd12::1]/",
    "https://docs.example.com/", // public stays allowed
  ])("allows %s", async (url) => {
    expect(await verdict(policy, url)).toBe("allowed");
  });

  it.each([
    "http://127.0.0.1/", // ::1 is allowed, 127.0.0.1 is not
    "http://localhost/", // resolves to 127.0.0.1 and ::1: one refused address refuses the name
    "http://192.168.5.5/", // minio.internal's address is trusted only under that name
    "http://169.254.169.254/",
    "http://mixed.example.com/",
    "http://[::ffff:10.0.0.1]/", // mapped: not the IPv4 range that was allowed
  ])("still refuses %s", async (url) => {
    expect(await verdict(policy, url)).toMatch(/^Refused/);
  });

  it("matches *.domain entries on a label boundary only", () => {
    expect(policy.allow.allowsName("a.b.corp.example")).toBe(true);
    expect(policy.allow.allowsName("corp.example")).toBe(false);
    expect(policy.allow.allowsName("evilcorp.example")).toBe(false);
  });

  it.each(["", "10.0.0.0/33", "http://x", "*.", "a*b.example", "*.10.0.0.1", "exa mple.com"])(
    "rejects the allow-list entry %j with a ConfigError",
    (entry) => {
      expect(() => new EgressPolicy({ allow: [entry] })).toThrow(ConfigError);
    },
  );

  it("validates its options", () => {
    expect(() => new EgressPolicy({ maxRedirects: 21 })).toThrow(/maxRedirects/);
    expect(() => new EgressPolicy({ maxRedirects: -1 })).toThrow(ConfigError);
    expect(() => new EgressPolicy({ resolve: "dns" as unknown as HostResolver })).toThrow(/resolve/);
  });
});

describe("parseHost", () => {
  it.each([
    ["localhost.", { kind: "name", name: "localhost" }],
    ["LocalHost..", { kind: "name", name: "localhost" }],
    ["localhost%2e", { kind: "name", name: "localhost" }],
    ["ｌｏｃａｌｈｏｓｔ", { kind: "name", name: "localhost" }],
    ["bücher.example", { kind: "name", name: "xn--bcher-kva.example" }],
    ["0x7f.1", { kind: "ip", address: expect.objectContaining({ address: "127.0.0.1" }) }],
    ["[::127.0.0.1]", { kind: "ip", address: expect.objectContaining({ address: "::7f00:1" }) }],
    ["::ffff:127.0.0.1", { kind: "ip", address: expect.objectContaining({ address: "::ffff:7f00:1" }) }],
  ])("%s → %o", (raw, expected) => {
    expect(parseHost(raw)).toEqual(expected);
  });

  it.each(["", ".", "exa mple.com", "a/b", "[::1", "1.2.3.4.5", "09.0.0.1", "a@b", "localhost:80", "a?b"])(
    "refuses %j",
    (raw) => {
      expect(parseHost(raw)).toBeNull();
    },
  );
});

import { lookup as dnsLookup } from "node:dns/promises";
import { z } from "zod";
import { ConfigError } from "../errors/index.js";
import { type AddressClass, classifyAddress, isIpLiteral } from "./address.js";
import { AllowList } from "./allow-list.js";
import { EgressRefusedError } from "./errors.js";
import { type Host, isLocalhostName, parseHost } from "./host.js";

/** Resolves a host name to its addresses (every one of them: the policy judges them all). */
export type HostResolver = (hostname: string) => Promise<ReadonlyArray<{ address: string; family?: number }>>;

export interface EgressOptions {
  /**
   * Non-public destinations to allow: addresses, CIDR ranges, host names, `*.domain` (e.g.
   * `["10.0.0.0/8", "minio.internal"]`). Default none: only public addresses are reachable.
   */
  allow?: readonly string[];
  /** Redirects followed per request, each hop checked again. Default 5; 0 refuses every redirect. */
  maxRedirects?: number;
  /** Host name resolution. Default `dns.lookup` (the system resolver, like fetch). Tests inject their own. */
  resolve?: HostResolver;
}

const optionsSchema = z
  .object({
    allow: z.array(z.string().min(1).max(300)).max(1000).default([]),
    maxRedirects: z.number().int().min(0).max(20).default(5),
    resolve: z.custom<HostResolver>((v) => typeof v === "function", "must be a function").optional(),
  })
  .strict();

const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** RFC 6761 answers for `localhost` names (see isLocalhostName). */
const LOOPBACK = [
  { address: "127.0.0.1", family: 4 },
  { address: "::1", family: 6 },
];

const describe: Record<string, string> = {
  unicast: "a public address",
  unspecified: "an unspecified address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  carrierGradeNat: "a carrier-grade NAT address",
  private: "a private address",
  uniqueLocal: "a unique-local address",
  reserved: "a reserved or documentation address",
  benchmarking: "a benchmarking address",
  ipv4Mapped: "an IPv4-mapped IPv6 address",
  ipv4Compatible: "an IPv4-compatible IPv6 address",
  rfc6145: "an IPv4-translated IPv6 address",
  rfc6052: "a NAT64 address of a non-public IPv4 address",
  nat64LocalUse: "a local-use NAT64 address",
  "6to4": "a 6to4 address of a non-public IPv4 address",
  teredo: "a Teredo address of a non-public IPv4 address",
  unallocated: "an address outside the IPv6 global unicast space",
};
const rangeName = (range: string) => describe[range] ?? `a special-purpose address (${range})`;

/**
 * Where connectors may connect. Public unicast addresses are allowed; every other range (loopback, private,
 * link-local, CGNAT, unique-local, multicast, broadcast, benchmarking, documentation, reserved, unspecified,
 * IPv4-mapped/compatible IPv6, and NAT64/6to4/Teredo addresses carrying a non-public IPv4 address) is refused
 * unless the allow-list names it. Names are judged by *every* address they resolve to.
 *
 * The decisions only: `Egress` applies them to real connections (resolve once, refuse, pin).
 */
export class EgressPolicy {
  readonly allow: AllowList;
  readonly maxRedirects: number;
  private readonly resolver: HostResolver;

  constructor(options: EgressOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`Invalid egress options: ${issue?.path.join(".")}: ${issue?.message}`);
    }
    this.allow = new AllowList(parsed.data.allow);
    this.maxRedirects = parsed.data.maxRedirects;
    this.resolver = parsed.data.resolve ?? systemResolver;
  }

  /**
   * Checks what can be checked without DNS: scheme (http/https), no credentials in the URL, a host that
   * parses, and an IP-literal host's range. Returns the parsed URL.
   */
  checkUrl(url: string | URL): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new EgressRefusedError(String(url).slice(0, 200), "it is not a valid URL");
    }
    const label = parsed.host || parsed.href.slice(0, 200);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new EgressRefusedError(label, `only http and https URLs are allowed (got ${parsed.protocol})`);
    }
    if (parsed.username || parsed.password) {
      throw new EgressRefusedError(label, "URLs with credentials (user:password@) are not allowed");
    }
    this.checkHost(parsed.hostname);
    return parsed;
  }

  /** The literal-host part of `checkUrl`: a name passes here (its addresses are checked when resolved). */
  checkHost(hostname: string): Host {
    const host = parseHost(hostname);
    if (!host) throw new EgressRefusedError(hostname.slice(0, 200), "it is not a valid host");
    if (host.kind === "ip") this.checkAddress(host.address.address, host.address, false);
    return host;
  }

  /**
   * Resolves `hostname` once and checks every address. Returns the addresses the connection may use: these
   * exact ones (the caller connects to them, never to a second resolution). A name on the allow-list is
   * trusted; otherwise one refused address refuses the name.
   */
  async resolve(hostname: string): Promise<AddressClass[]> {
    const host = this.checkHost(hostname);
    if (host.kind === "ip") return [host.address];
    const answers = isLocalhostName(host.name) ? LOOPBACK : await this.resolver(host.name);
    const addresses = answers.filter((a) => isIpLiteral(a.address)).map((a) => classifyAddress(a.address));
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${host.name} has no address`), { code: "ENOTFOUND" });
    }
    if (!this.allow.allowsName(host.name)) {
      for (const a of addresses) this.checkAddress(host.name, a, true);
    }
    return addresses;
  }

  /** After connecting: the peer address must be one the policy allows for that host (defence in depth). */
  checkConnected(hostname: string, remoteAddress: string | undefined): void {
    const host = this.checkHost(hostname);
    if (host.kind === "name" && this.allow.allowsName(host.name)) return;
    if (!remoteAddress || !isIpLiteral(remoteAddress)) {
      throw new EgressRefusedError(hostname, "the connection has no peer address");
    }
    this.checkAddress(hostname, classifyAddress(remoteAddress), host.kind === "name");
  }

  private checkAddress(label: string, address: AddressClass, resolved: boolean): void {
    if (address.public || this.allow.allowsAddress(address)) return;
    const what = rangeName(address.range);
    throw new EgressRefusedError(
      label,
      `${resolved ? "it resolves to" : "it is"} ${what}, which this server's egress policy does not allow`,
    );
  }
}

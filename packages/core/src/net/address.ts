import ipaddr from "ipaddr.js";

/** What an IP address is, as far as an outbound connection is concerned. */
export interface AddressClass {
  /** Canonical text form (dotted quad, or RFC 5952 for IPv6). */
  address: string;
  family: 4 | 6;
  /**
   * The special-purpose range it falls in, as ipaddr.js names it (`loopback`, `private`, `linkLocal`,
   * `carrierGradeNat`, `uniqueLocal`, `multicast`, `broadcast`, `reserved`, `rfc6052`…), `ipv4Compatible` /
   * `unallocated` for IPv6 outside the global-unicast space, or `unicast` for an ordinary public address.
   */
  range: string;
  /** True only for an ordinary public unicast address (and a translation prefix embedding one). */
  public: boolean;
  /** For NAT64, 6to4 and Teredo: the IPv4 address(es) the IPv6 address carries, each classified. */
  embedded?: AddressClass[];
}

// IANA's global unicast space (RFC 4291 §2.4, IANA IPv6 address space registry). ipaddr.js names the special
// ranges *inside* it; everything outside (IPv4-compatible ::a.b.c.d, 100::/64 discard, 4000::/2…) is not
// routable on the internet, so it is refused rather than trusted as "unicast".
const globalUnicast = ipaddr.IPv6.parseCIDR("2000::/3");
const zeroPrefix96 = ipaddr.IPv6.parseCIDR("::/96");
// The well-known NAT64 prefix (RFC 6052) puts the IPv4 address in the low 32 bits. ipaddr.js's rfc6052 range
// also holds the local-use 64:ff9b:1::/48 (RFC 8215), whose layout the operator chooses: not decodable.
const wellKnownNat64 = ipaddr.IPv6.parseCIDR("64:ff9b::/96");

/** IPv6 ranges whose meaning is "this is really an IPv4 address": judged by the IPv4 address they carry. */
const translated = new Set(["rfc6052", "6to4", "teredo"]);

/** True when `text` is an IP address literal in any form a resolver accepts (including `127.1`, `0x7f.1`). */
export function isIpLiteral(text: string): boolean {
  const bare = stripBrackets(text);
  return bare.includes(":") ? canonicalV6(bare) !== null : ipaddr.IPv4.isValid(bare);
}

/** Classifies an IP address literal. Throws a TypeError for a string that is not one. */
export function classifyAddress(text: string): AddressClass {
  const bare = stripBrackets(text);
  if (!bare.includes(":")) return classifyV4(ipaddr.IPv4.parse(bare));
  const v6 = canonicalV6(bare);
  if (v6 === null) throw new TypeError(`Not an IP address: ${text.slice(0, 100)}`);
  return classifyV6(ipaddr.IPv6.parse(v6));
}

/**
 * IPv6 text as the URL parser (and the socket) reads it. Needed because ipaddr.js reads the deprecated
 * IPv4-compatible form `::a.b.c.d` as IPv4-*mapped* `::ffff:a.b.c.d`, which is not the address connected to.
 * A zone index (`fe80::1%eth0`, as resolvers may answer) is dropped: it does not change the range.
 */
function canonicalV6(text: string): string | null {
  try {
    return new URL(`http://[${text.replace(/%.*$/, "")}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

function classifyV4(ip: ipaddr.IPv4): AddressClass {
  const range = ip.range();
  return { address: ip.toString(), family: 4, range, public: range === "unicast" };
}

function classifyV6(ip: ipaddr.IPv6): AddressClass {
  const address = ip.toRFC5952String();
  const range = ip.range();
  if (range === "rfc6052" && !ip.match(wellKnownNat64)) {
    return { address, family: 6, range: "nat64LocalUse", public: false };
  }
  if (translated.has(range)) {
    const embedded = embeddedV4(ip, range).map(classifyV4);
    return { address, family: 6, range, public: embedded.every((e) => e.public), embedded };
  }
  if (range !== "unicast") return { address, family: 6, range, public: false };
  if (ip.match(zeroPrefix96)) return { address, family: 6, range: "ipv4Compatible", public: false };
  if (!ip.match(globalUnicast)) return { address, family: 6, range: "unallocated", public: false };
  return { address, family: 6, range, public: true };
}

/**
 * The IPv4 address(es) inside a translation address: NAT64 (RFC 6052) keeps it in the low 32 bits, 6to4
 * (RFC 3056) in bits 16–47, Teredo (RFC 4380) carries the server in bits 32–63 and the client, inverted, in
 * the low 32 bits.
 */
function embeddedV4(ip: ipaddr.IPv6, range: string): ipaddr.IPv4[] {
  const p = ip.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const at = (i: number) => p[i] ?? 0;
  if (range === "6to4") return [v4(at(1), at(2))];
  if (range === "teredo") return [v4(at(2), at(3)), v4(at(6) ^ 0xffff, at(7) ^ 0xffff)];
  return [v4(at(6), at(7))];
}

function stripBrackets(text: string): string {
  return text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
}

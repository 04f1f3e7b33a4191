import ipaddr from "ipaddr.js";
import { ConfigError } from "../errors/index.js";
import type { AddressClass } from "./address.js";
import { parseHost } from "./host.js";

/**
 * The non-public destinations a host operator explicitly trusts. Entries: an address (`127.0.0.1`, `::1`), a
 * CIDR range (`10.0.0.0/8`, `fd00::/8`), a host name (`minio.internal`) or every name under a domain
 * (`*.corp.example`). A name entry trusts whatever that name resolves to; an address entry trusts that address
 * whatever name led to it.
 */
export class AllowList {
  private readonly ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(readonly entries: readonly string[] = []) {
    for (const entry of entries) this.add(entry);
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  allowsName(name: string): boolean {
    return this.names.has(name) || this.suffixes.some((s) => name.endsWith(s));
  }

  allowsAddress(address: AddressClass): boolean {
    const ip = ipaddr.parse(address.address);
    return this.ranges.some(([base, bits]) => base.kind() === ip.kind() && ip.match(base, bits));
  }

  private add(entry: string): void {
    const text = entry.trim();
    if (ipaddr.isValidCIDR(text)) {
      this.ranges.push(ipaddr.parseCIDR(text));
      return;
    }
    const wildcard = text.startsWith("*.");
    const host = parseHost(wildcard ? text.slice(2) : text);
    if (host?.kind === "ip") {
      if (wildcard) throw invalid(entry);
      const ip = ipaddr.parse(host.address.address);
      this.ranges.push([ip, ip.kind() === "ipv4" ? 32 : 128]);
    } else if (host?.kind === "name" && !host.name.includes("*")) {
      if (wildcard) this.suffixes.push(`.${host.name}`);
      else this.names.add(host.name);
    } else {
      throw invalid(entry);
    }
  }
}

function invalid(entry: string): ConfigError {
  return new ConfigError(
    `egress.allow: "${entry}" is not an IP address, a CIDR range, a host name or "*.domain".`,
  );
}

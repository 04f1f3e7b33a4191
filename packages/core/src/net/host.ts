import { type AddressClass, classifyAddress, isIpLiteral } from "./address.js";

/** A host as a connection will use it: an IP literal (classified) or a normalised DNS name. */
export type Host = { kind: "ip"; address: AddressClass } | { kind: "name"; name: string };

/**
 * Normalises a host the way fetch and the resolver will see it, so a check cannot be fooled by spelling:
 * the WHATWG host parser percent-decodes (`localhost%2e`), applies IDNA (full-width `ｌｏｃａｌｈｏｓｔ`,
 * `xn--` labels) and rewrites every IPv4 number form (`127.1`, `0x7f.1`, `2130706433`, `0177.0.0.1`) to a dotted
 * quad; trailing dots (`localhost.`) are dropped because the resolver treats `a.` and `a` alike. Returns null for
 * a string that no URL could carry as a host.
 */
export function parseHost(raw: string): Host | null {
  const bare = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
  let url: URL;
  try {
    url = new URL(`http://${bare.includes(":") ? `[${bare}]` : bare}/`);
  } catch {
    return null;
  }
  // Anything but a bare host (a port, a path, user info: `10.0.0.0/33`, `a@b`) is not a host.
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password || url.port) return null;
  const { hostname } = url;
  const host = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname.replace(/\.+$/, "");
  if (host === "") return null;
  if (isIpLiteral(host)) return { kind: "ip", address: classifyAddress(host) };
  return { kind: "name", name: host };
}

/**
 * RFC 6761 §6.3: `localhost` and every name under it are loopback by definition, whatever a resolver says (and
 * some resolvers answer `localhost.` from DNS instead of /etc/hosts): they are never sent to DNS.
 */
export function isLocalhostName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost");
}

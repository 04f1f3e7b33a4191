import { HttpError } from "../http.js";
import type { ParsedOptions } from "../options.js";

type Policy = ParsedOptions["connectors"];

const bad = (path: string, message: string) =>
  new HttpError("invalid_input", `Invalid connector: ${path}: ${message}`, { details: [{ path, message }] });

/** Loopback, private, link-local and unique-local addresses (IPv4 and IPv6 literals) and localhost names. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal")) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (host.includes(":")) {
    return (
      host === "::1" ||
      host === "::" ||
      /^f[cd]/.test(host) ||
      /^fe[89ab]/.test(host) ||
      host.startsWith("::ffff:")
    );
  }
  return false;
}

/**
 * What a tenant may configure over HTTP. A connector runs *on the server*: a `dir` connector reads the server's
 * disk and URL/S3 endpoints are fetched from the server's network. So `dir` is off unless `dirRoots` are
 * configured (and must stay inside one), and private/loopback endpoints are refused unless allowed. (Host names
 * that resolve to private addresses are not checked here: put an egress proxy in front for full SSRF protection.)
 */
export function checkConnectorPolicy(policy: Policy, kind: string, config: Record<string, unknown>): void {
  if (!policy.kinds.includes(kind as Policy["kinds"][number])) {
    throw bad(
      "kind",
      `"${kind}" connectors are not enabled on this server (enabled: ${policy.kinds.join(", ")})`,
    );
  }
  const urls: Array<[string, unknown]> = [];
  if (kind === "urls" && Array.isArray(config.urls)) {
    for (const [i, u] of config.urls.entries()) urls.push([`config.urls.${i}`, u]);
  }
  if (kind === "s3" && config.endpoint !== undefined) urls.push(["config.endpoint", config.endpoint]);
  if (!policy.allowPrivateNetworks) {
    for (const [path, value] of urls) {
      let host: string;
      try {
        host = new URL(String(value)).hostname;
      } catch {
        continue; // not a URL: core's schema answers with its own message
      }
      if (isPrivateHost(host)) throw bad(path, "private, loopback and link-local addresses are not allowed");
    }
  }
  if (kind === "dir") {
    const root = typeof config.root === "string" ? normalizeAbsolute(config.root) : null;
    const allowed =
      root !== null &&
      policy.dirRoots.some((base) => {
        const b = normalizeAbsolute(base);
        return b !== null && (root === b || root.startsWith(b === "/" ? "/" : `${b}/`));
      });
    if (!allowed) throw bad("config.root", "must be an absolute path inside one of the server's dirRoots");
  }
}

/** An absolute POSIX path with `.`/`..` resolved, or null (relative paths are refused). No node:path: the handler stays runtime-neutral. */
export function normalizeAbsolute(path: string): string | null {
  if (!path.startsWith("/")) return null;
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

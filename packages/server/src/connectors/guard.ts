import { HttpError } from "../http.js";
import type { ParsedOptions } from "../options.js";

type Policy = ParsedOptions["connectors"];

const bad = (path: string, message: string) =>
  new HttpError("invalid_input", `Invalid connector: ${path}: ${message}`, { details: [{ path, message }] });

/**
 * What a tenant may configure over HTTP. A connector runs *on the server*: a `dir` connector reads the server's
 * disk and URL/S3/SharePoint endpoints are fetched from the server's network. So `dir` is off unless `dirRoots`
 * are configured (and must stay inside one). Network endpoints are core's business, under the handler's
 * `connectors.egress` policy: refused at create/update with a 400 naming the field (after resolving the host),
 * and again on every connection of a sync, at the address actually connected to (resolved once and pinned, so
 * DNS rebinding cannot swap it), redirect hops included.
 */
export function checkConnectorPolicy(policy: Policy, kind: string, config: Record<string, unknown>): void {
  if (!policy.kinds.includes(kind as Policy["kinds"][number])) {
    throw bad(
      "kind",
      `"${kind}" connectors are not enabled on this server (enabled: ${policy.kinds.join(", ")})`,
    );
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

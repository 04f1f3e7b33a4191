import { ValidationError } from "../errors/index.js";
import type { Egress } from "../net/egress.js";
import { egressRefusalOf } from "../net/errors.js";
import type { ConnectorKind } from "./types.js";

/** A 10,000-URL list can be refused in full: the error names the first few. */
const MAX_REPORTED = 20;

/** Every URL a connector configuration makes the server connect to, with its path in the config. */
export function endpointsOf(kind: ConnectorKind, config: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (path: string, value: unknown) => {
    if (typeof value === "string") out.push([path, value]);
  };
  if (kind === "urls" && Array.isArray(config.urls)) {
    for (const [i, url] of config.urls.entries()) add(`urls.${i}`, url);
  } else if (kind === "s3") {
    add("endpoint", config.endpoint);
  } else if (kind === "sharepoint") {
    add("graphBaseUrl", config.graphBaseUrl);
    add("authorityUrl", config.authorityUrl);
  }
  return out;
}

/**
 * Refuses, at create/update time, a configuration whose endpoints the egress policy would refuse: the static
 * checks for every URL, then one resolution per distinct host. A ValidationError names each refused field.
 * (The connections made by a sync are checked again, address by address: this is for a readable 400 early.)
 */
export async function verifyEndpoints(
  egress: Egress,
  kind: ConnectorKind,
  config: Record<string, unknown>,
): Promise<void> {
  const problems: Array<{ path: string; message: string }> = [];
  const firstPathOfHost = new Map<string, string>();
  for (const [path, url] of endpointsOf(kind, config)) {
    try {
      const host = egress.policy.checkUrl(url).hostname;
      if (!firstPathOfHost.has(host)) firstPathOfHost.set(host, path);
    } catch (error) {
      problems.push({ path, message: messageOf(error) });
    }
  }
  const hosts = [...firstPathOfHost];
  // Once there is a full report, DNS is not asked about the rest.
  for (let i = 0; i < hosts.length && problems.length < MAX_REPORTED; i += 8) {
    await Promise.all(
      hosts.slice(i, i + 8).map(async ([host, path]) => {
        try {
          await egress.verifyUrl(`http://${host}/`);
        } catch (error) {
          problems.push({ path, message: messageOf(error) });
        }
      }),
    );
  }
  if (problems.length === 0) return;
  problems.sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }));
  const shown = problems.slice(0, MAX_REPORTED);
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : "";
  throw new ValidationError(
    `Invalid ${kind} connector config: ${shown.map((p) => `${p.path}: ${p.message}`).join("; ")}${more}`,
    { details: shown },
  );
}

function messageOf(error: unknown): string {
  const refusal = egressRefusalOf(error);
  if (!refusal) throw error;
  return refusal.message;
}

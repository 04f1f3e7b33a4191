import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HostResolver } from "@ragkit/core";
import { type Arena, attempt } from "./arena.js";
import { type Answer, errorOf, held, leak, send, type Verdict, wrong } from "./attempts.js";

/**
 * SSRF targets through connector create, update and sync. Nothing here leaves loopback: create and update are
 * judged without connecting, names are answered by `fakeDns` (never by DNS), and every target a sync could
 * reach is a trap server on a loopback address the handler does not allow: a connection to it is a leak.
 */

/** Names the attack uses, answered in-process. Unknown names do not exist. */
const NAMES: Record<string, string> = {
  "intranet.attack.test": "127.0.0.1",
  "metadata.attack.test": "169.254.169.254",
  "nat64.attack.test": "64:ff9b::a9fe:a9fe",
  "private.attack.test": "10.1.2.3",
};
export const fakeDns: HostResolver = async (name) => {
  const address = NAMES[name];
  if (!address) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return [{ address, family: address.includes(":") ? 6 : 4 }];
};

/** Hosts (with port where it matters) that a connector must never reach. */
export const ssrfHosts: readonly string[] = [
  // loopback, in every spelling the URL parser accepts
  "127.0.0.1:8080",
  "localhost",
  "localhost.",
  "localhost%2e",
  "LOCALHOST",
  "attack.localhost",
  "127.1",
  "0x7f.1",
  "2130706433",
  "017700000001",
  "0",
  "0.0.0.0",
  "[::1]",
  "[::]",
  "[::127.0.0.1]",
  "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]",
  "[0:0:0:0:0:ffff:127.0.0.1]",
  // cloud metadata
  "169.254.169.254",
  "[fd00:ec2::254]",
  "100.100.100.200",
  "[::ffff:169.254.169.254]",
  // NAT64 / 6to4 / Teredo forms of metadata and loopback
  "[64:ff9b::a9fe:a9fe]",
  "[64:ff9b::7f00:1]",
  "[64:ff9b:1::a9fe:a9fe]",
  "[2002:a9fe:a9fe::1]",
  // Teredo: the client address is stored inverted (5601:5601 is 169.254.169.254)
  "[2001:0:4136:e378:8000:63bf:5601:5601]",
  // private and special-purpose ranges
  "10.0.0.1",
  "172.16.0.1",
  "192.168.1.1",
  "100.64.0.1",
  "192.0.0.1",
  "192.0.2.1",
  "198.18.0.1",
  "198.51.100.1",
  "203.0.113.1",
  "224.0.0.1",
  "240.0.0.1",
  "255.255.255.255",
  "[2001:db8::1]",
  "[fe80::1]",
  "[fc00::1]",
  "[ff02::1]",
  // names that resolve to refused addresses
  "intranet.attack.test",
  "metadata.attack.test",
  "nat64.attack.test",
  "private.attack.test",
];

/** URLs with a scheme a connector must not fetch. */
const badSchemes = ["file:///etc/passwd", "gopher://127.0.0.1:70/_", "ftp://127.0.0.1/", "data:text/html,hi"];

const urls = (url: string) => ({ kind: "urls", name: "ssrf", config: { urls: [url] } });
const s3 = (endpoint: string) => ({
  kind: "s3",
  name: "ssrf-s3",
  config: { bucket: "b-1", endpoint, forcePathStyle: true, maxAttempts: 1 },
  credentials: { accessKeyId: "a", secretAccessKey: "b" },
});
const sharepoint = (config: Record<string, unknown>) => ({
  kind: "sharepoint",
  name: "ssrf-sp",
  config: { tenantId: "contoso", clientId: "c", driveId: "b!x", retries: 0, ...config },
  credentials: { clientSecret: "s" },
});

const refused400 = (a: Answer) =>
  a.status === 400 && errorOf(a)?.code === "invalid_input"
    ? held
    : wrong(`accepted: ${a.status} ${a.text.slice(0, 200)}`);

/** Create and update with each target (URL list, S3 endpoint, SharePoint Graph and authority URLs): 400. */
export async function ssrfConfigs(arena: Arena, strictBase: string): Promise<void> {
  const me = arena.a;
  const post = (body: unknown) => ({
    method: "POST" as const,
    path: "/connectors",
    token: me.token,
    body: JSON.stringify(body),
  });
  // A connector the strict policy accepts (a public name: stored, never fetched here), to update.
  const created = await send(strictBase, post(urls("https://public.attack.test/page")));
  const id = (created.json as { connector?: { id?: string } } | null)?.connector?.id;
  if (created.status !== 201 || !id) throw new Error(`cannot create a public connector: ${created.text}`);
  const targets = [...ssrfHosts.map((h) => `http://${h}/latest/meta-data`), ...badSchemes];
  for (const url of targets) {
    await attempt(arena, "ssrf", `create urls ${url}`, post(urls(url)), me, refused400, strictBase);
    await attempt(
      arena,
      "ssrf",
      `update urls to ${url}`,
      {
        method: "PATCH",
        path: `/connectors/${id}`,
        token: me.token,
        body: JSON.stringify({ config: { urls: [url] } }),
      },
      me,
      refused400,
      strictBase,
    );
  }
  for (const host of ssrfHosts) {
    const url = `http://${host}`;
    await attempt(arena, "ssrf", `create s3 endpoint ${url}`, post(s3(url)), me, refused400, strictBase);
    await attempt(
      arena,
      "ssrf",
      `create sharepoint graphBaseUrl ${url}`,
      post(sharepoint({ graphBaseUrl: `${url}/v1.0` })),
      me,
      refused400,
      strictBase,
    );
    await attempt(
      arena,
      "ssrf",
      `create sharepoint authorityUrl ${url}`,
      post(sharepoint({ authorityUrl: url })),
      me,
      refused400,
      strictBase,
    );
  }
}

/** A loopback HTTP server that counts connections; `redirect` answers every request with a 302 there. */
export async function trap(
  host: string,
  redirect?: (path: string) => string | null,
): Promise<{
  url: string;
  port: number;
  connections: () => number;
  close(): Promise<void>;
}> {
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const to = redirect?.(req.url ?? "/");
    if (to) res.writeHead(302, { location: to }).end();
    else res.writeHead(200, { "content-type": "text/html" }).end("<html><body><p>trapped</p></body></html>");
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const syncRefused = (a: Answer) => {
  if (a.status === 400)
    return /Refused to connect|refused/i.test(errorOf(a)?.message ?? "") ? held : wrong(a.text.slice(0, 200));
  const summary = (a.json as { summary?: { created?: number; failed?: number } } | null)?.summary;
  return a.status === 200 && summary?.created === 0 && (summary.failed ?? 0) > 0
    ? held
    : wrong(`the sync was not refused: ${a.status} ${a.text.slice(0, 300)}`);
};

/**
 * At sync: configurations another (more permissive) policy stored, pointing at the trap, are refused by the
 * strict handler; and an allowed server that redirects to the trap (in several spellings) is refused at the hop.
 */
export async function ssrfSyncs(
  arena: Arena,
  handlers: { strict: string; permissive: string; allowing127: string },
  traps: {
    loopback: { url: string; port: number; connections(): number };
    other: { port: number; connections(): number };
  },
  redirector: { url: string; setTarget(url: string): void },
): Promise<void> {
  const me = arena.a;
  const create = async (base: string, body: unknown) => {
    const res = await send(base, {
      method: "POST",
      path: "/connectors",
      token: me.token,
      body: JSON.stringify(body),
    });
    const id = (res.json as { connector?: { id?: string } } | null)?.connector?.id;
    if (res.status !== 201 || !id) throw new Error(`cannot store ${JSON.stringify(body)}: ${res.text}`);
    return id;
  };
  const sync = (id: string) => ({ method: "POST" as const, path: `/connectors/${id}/sync`, token: me.token });
  const trapped =
    (before: number, judge: (a: Answer) => Verdict) =>
    (a: Answer): Verdict => {
      const hits = traps.loopback.connections() + traps.other.connections() - before;
      return hits > 0 ? leak(`${hits} connection(s) reached the trap`) : judge(a);
    };
  const hits = () => traps.loopback.connections() + traps.other.connections();

  const stored: Array<[string, unknown]> = [
    ["URL list at 127.0.0.1", urls(`${traps.loopback.url}/page.html`)],
    [
      "URL list at a name resolving to 127.0.0.1",
      urls(`http://intranet.attack.test:${traps.loopback.port}/page.html`),
    ],
    ["URL list at localhost.", urls(`http://localhost.:${traps.loopback.port}/page.html`)],
    ["URL list at [::ffff:127.0.0.1]", urls(`http://[::ffff:127.0.0.1]:${traps.loopback.port}/page.html`)],
    ["S3 endpoint at 127.0.0.1", s3(traps.loopback.url)],
    [
      "SharePoint at 127.0.0.1",
      sharepoint({ graphBaseUrl: `${traps.loopback.url}/v1.0`, authorityUrl: traps.loopback.url }),
    ],
  ];
  for (const [name, body] of stored) {
    const id = await create(handlers.permissive, body);
    await attempt(
      arena,
      "ssrf",
      `sync of a stored ${name}`,
      sync(id),
      me,
      trapped(hits(), syncRefused),
      handlers.strict,
    );
  }

  // Redirects from an allowed server (127.0.0.1 is allowed by this handler) to refused spellings of 127.0.0.2.
  const p = traps.other.port;
  const hops = [
    `http://127.0.0.2:${p}/`,
    `http://0x7f000002:${p}/`,
    `http://127.2:${p}/`,
    `http://[::ffff:127.0.0.2]:${p}/`,
    `http://[64:ff9b::7f00:2]:${p}/`,
    "file:///etc/passwd",
  ];
  for (const hop of hops) {
    redirector.setTarget(hop);
    const id = await create(handlers.allowing127, urls(`${redirector.url}/moved`));
    await attempt(
      arena,
      "ssrf",
      `sync following a redirect to ${hop}`,
      sync(id),
      me,
      trapped(hits(), syncRefused),
      handlers.allowing127,
    );
  }
}

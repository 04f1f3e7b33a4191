import { type Arena, attempt, freshRun, freshThread, type Side } from "./arena.js";
import { type Answer, errorOf, held, leak, type Req, send, shapeOf, wrong } from "./attempts.js";
import { lookalike, type RouteAttack } from "./routes.js";

/**
 * The tenant-isolation families over the route table: cross-tenant id use, list mixing and tenant injection.
 * Each runs in both directions (A attacking B and B attacking A) where it reads; writes attack from A only.
 */

const pairs = (arena: Arena): Array<[Side, Side]> => [
  [arena.a, arena.b],
  [arena.b, arena.a],
];

/** The other tenant's id on an id-bearing route answers exactly like an id that exists nowhere. */
export async function crossTenant(arena: Arena, operation: string, route: RouteAttack): Promise<void> {
  const at = route.at;
  if (!at) return;
  for (const [me, other] of pairs(arena)) {
    const foreign = at.creates ? await freshThread(arena, other) : other.f[at.id];
    const missing = await send(arena.base, at.request(lookalike(foreign), me.f, me.token));
    await attempt(
      arena,
      "cross-tenant",
      `${operation} with ${other.name}'s ${at.id} as ${me.name}`,
      at.request(foreign, me.f, me.token),
      me,
      (foreign) =>
        shapeOf(foreign) === shapeOf(missing)
          ? held
          : leak(`answers unlike a missing id: ${shapeOf(foreign)} vs ${shapeOf(missing)}`),
    );
  }
}

/** After every attack: each tenant's resources are still there, unchanged (no cross-tenant write got through). */
export async function intact(arena: Arena): Promise<void> {
  for (const me of [arena.a, arena.b]) {
    const own: Array<[string, string, boolean]> = [
      ["document", `/documents/${me.f.documentId}`, true],
      ["thread", `/threads/${me.f.threadId}`, true],
      ["connector", `/connectors/${me.f.connectorId}`, true],
      ["job", `/jobs/${me.f.jobId}`, false],
      ["run", `/runs/${me.f.runId}`, false],
    ];
    for (const [kind, path, marked] of own) {
      await attempt(
        arena,
        "cross-tenant",
        `${me.name}'s ${kind} survives the other's attacks`,
        get(path, me),
        me,
        (a) =>
          a.status !== 200
            ? leak(`${me.name}'s ${kind} answers ${a.status}: changed by the other tenant`)
            : marked && !a.text.includes(me.marker)
              ? leak(`${me.name}'s ${kind} lost its content`)
              : held,
      );
    }
  }
}

const get = (path: string, me: Side): Req => ({ method: "GET", path, token: me.token });

/** Operations whose answer must show the caller's own rows (so a scan that finds nothing is not vacuous). */
const showsOwnRows = new Set([
  "POST /search",
  "GET /documents",
  "GET /documents/{id}",
  "GET /documents/{id}/content",
  "GET /threads/{id}",
  "GET /connectors",
  "GET /connectors/{id}",
]);

/** Lists, search, threads, audit, runs and replays show the caller's rows only: scanned both ways. */
export async function listMixing(arena: Arena, operation: string, route: RouteAttack): Promise<void> {
  for (const [me] of pairs(arena)) {
    await attempt(arena, "list", `${operation} as ${me.name}`, route.own(me.f, me.token), me, (a) =>
      a.status >= 400
        ? wrong(`the caller's own request answers ${a.status}: ${a.text.slice(0, 200)}`)
        : showsOwnRows.has(operation) && !a.text.includes(me.marker)
          ? wrong(`the answer does not show ${me.name}'s own rows: the scan would prove nothing`)
          : held,
    );
  }
}

const TENANT_FIELDS = ["tenantId", "tenant_id", "tenant"] as const;
const TENANT_HEADERS = ["x-tenant-id", "x-ragkit-tenant", "tenant-id", "x-forwarded-tenant"] as const;

function withQuery(req: Req, tenant: string): Req {
  const extra = TENANT_FIELDS.map((k) => `${k}=${encodeURIComponent(tenant)}`).join("&");
  return { ...req, path: `${req.path}${req.path.includes("?") ? "&" : "?"}${extra}` };
}

function withHeaders(req: Req, tenant: string): Req {
  return {
    ...req,
    headers: { ...req.headers, ...Object.fromEntries(TENANT_HEADERS.map((h) => [h, tenant])) },
  };
}

function withBodyFields(req: Req, tenant: string): Req | null {
  if (typeof req.body !== "string") return null;
  const body = JSON.parse(req.body) as Record<string, unknown>;
  return {
    ...req,
    body: JSON.stringify({ ...body, ...Object.fromEntries(TENANT_FIELDS.map((k) => [k, tenant])) }),
  };
}

/** A 400 that names one of the tenant fields: the strict schema refused it (nothing ran). */
const refusedField = (a: Answer) => {
  const error = errorOf(a);
  return (
    a.status === 400 &&
    error?.code === "invalid_input" &&
    TENANT_FIELDS.some((f) => error.message.includes(`"${f}"`))
  );
};

/**
 * Tenant fields in the query, headers and JSON body are ignored: the answer is what the caller gets without
 * them (or a 400 naming the field, for strict bodies). On id-bearing routes the request names the other
 * tenant's id, so an injection that worked would find it.
 */
export async function injection(arena: Arena, operation: string, route: RouteAttack): Promise<void> {
  const me = arena.a;
  const victim = arena.b;
  if (!route.at && route.destructive) return;
  const variants: Array<[string, (req: Req, tenant: string) => Req | null]> = [
    ["query", withQuery],
    ["headers", withHeaders],
    ["body", withBodyFields],
  ];
  for (const [where, inject] of variants) {
    const at = route.at;
    const foreign = at ? (at.creates ? await freshThread(arena, victim) : victim.f[at.id]) : null;
    const target = at && foreign ? at.request(foreign, me.f, me.token) : route.own(me.f, me.token);
    const req = inject(target, victim.tenant);
    if (!req) continue;
    const baseline = await send(
      arena.base,
      at && foreign ? at.request(lookalike(foreign), me.f, me.token) : target,
    );
    await attempt(arena, "injection", `${operation}: tenant in ${where}`, req, me, (a) => {
      if (where === "body" && refusedField(a)) return held;
      if (a.status !== baseline.status)
        return leak(`answers ${a.status}, without the tenant field ${baseline.status}`);
      if (route.at && shapeOf(a) !== shapeOf(baseline))
        return leak(`answers unlike a missing id: ${shapeOf(a)}`);
      if (baseline.text.includes(me.marker) && !a.text.includes(me.marker))
        return leak(`no longer shows ${me.name}'s rows: the tenant field changed the tenant`);
      return held;
    });
  }
}

/**
 * Ids of the other tenant's that travel in a body next to the caller's own resources (runs started under a
 * client-chosen id, a fork from a checkpoint, an approval answered for a run): each answers like a look-alike
 * id that exists nowhere.
 */
const bodyIdAttacks: Array<{
  name: string;
  id: "runId" | "checkpointId";
  request(id: string, arena: Arena, me: Side): Promise<Req>;
}> = [
  {
    name: "POST /chat/stream with the other tenant's runId",
    id: "runId",
    request: async (id, _, me) => ({
      method: "POST",
      path: "/chat/stream",
      token: me.token,
      body: JSON.stringify({ message: "What is the project budget?", runId: id }),
    }),
  },
  {
    name: "POST /copilotkit/agent/{agentId}/run with the other tenant's runId",
    id: "runId",
    request: async (id, _, me) => ({
      method: "POST",
      path: `/copilotkit/agent/${me.f.agentId}/run`,
      token: me.token,
      body: JSON.stringify({
        threadId: `own-${crypto.randomUUID()}`,
        runId: id,
        messages: [{ id: "m1", role: "user", content: "What is the budget?" }],
        state: {},
        tools: [],
        context: [],
        forwardedProps: {},
      }),
    }),
  },
  {
    name: "POST /threads/{own id}/fork from the other tenant's checkpointId",
    id: "checkpointId",
    request: async (id, _, me) => ({
      method: "POST",
      path: `/threads/${me.f.threadId}/fork`,
      token: me.token,
      body: JSON.stringify({ checkpointId: id }),
    }),
  },
  {
    name: "POST /threads/{own pending thread}/resume naming the other tenant's runId",
    id: "runId",
    request: async (id, arena, me) => ({
      method: "POST",
      path: `/threads/${await freshThread(arena, me, "What is the project budget?")}/resume`,
      token: me.token,
      body: JSON.stringify({ decision: { type: "reject" }, runId: id }),
    }),
  },
];

export async function crossTenantBodies(arena: Arena): Promise<void> {
  for (const [me, other] of pairs(arena)) {
    for (const attack of bodyIdAttacks) {
      // Run ids are client-chosen: a run of the other's own for each attack, so the caller never reuses one.
      const id = attack.id === "runId" ? await freshRun(arena, other) : other.f[attack.id];
      const missing = await send(arena.base, await attack.request(lookalike(id), arena, me));
      await attempt(
        arena,
        "cross-tenant",
        `${attack.name} as ${me.name}`,
        await attack.request(id, arena, me),
        me,
        (foreign) =>
          shapeOf(foreign) === shapeOf(missing)
            ? held
            : leak(`answers unlike a missing id: ${shapeOf(foreign)} vs ${shapeOf(missing)}`),
      );
    }
  }
}

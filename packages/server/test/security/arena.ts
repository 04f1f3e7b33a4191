import { type Answer, leak, leaked, type Req, send, type Tally, type Verdict } from "./attempts.js";
import { type Fixtures, MARKERS } from "./world.js";

/** One tenant as the attacks see it: its token, its resources, its marker, and what it must never see. */
export interface Side {
  name: "A" | "B";
  tenant: string;
  token: string;
  f: Fixtures;
  marker: string;
  /** The other tenant's marker and resource ids: any of them in an answer to this side is a leak. */
  forbidden: string[];
}

/** Where the attacks run (one handler over HTTP), and the tally they count into. */
export interface Arena {
  /** Server URL plus the handler's base path. */
  base: string;
  tally: Tally;
  a: Side;
  b: Side;
}

export function sides(
  a: { token: string; f: Fixtures },
  b: { token: string; f: Fixtures },
): { a: Side; b: Side } {
  const ids = (f: Fixtures) => [f.documentId, f.jobId, f.connectorId, f.threadId, f.runId, f.checkpointId];
  return {
    a: { name: "A", tenant: "tenant-a", ...a, marker: MARKERS.a, forbidden: [MARKERS.b, ...ids(b.f)] },
    b: { name: "B", tenant: "tenant-b", ...b, marker: MARKERS.b, forbidden: [MARKERS.a, ...ids(a.f)] },
  };
}

/**
 * Sends one attack and counts it. `as`: the side whose token the request carries (its answer is scanned for the
 * other side's markers and ids); null for requests without a valid identity (scanned for both).
 */
export async function attempt(
  arena: Arena,
  family: string,
  name: string,
  req: Req,
  as: Side | null,
  judge: (answer: Answer) => Verdict | Promise<Verdict>,
  base = arena.base,
): Promise<Answer> {
  const answer = await send(base, req);
  const forbidden = as ? as.forbidden : [...arena.a.forbidden, ...arena.b.forbidden];
  const found = leaked(answer.text, forbidden, req);
  const verdict = found.length
    ? leak(`the answer to ${as?.name ?? "an unauthenticated caller"} contains ${found.join(", ")}`)
    : await judge(answer);
  arena.tally.record(family, name, answer.status, verdict);
  return answer;
}

/** A chat turn of `side` on a new thread, read to the end of its stream. */
export function chat(arena: Arena, side: Side, message: string): Promise<Answer> {
  return send(arena.base, {
    method: "POST",
    path: "/chat/stream",
    token: side.token,
    body: JSON.stringify({ message }),
  });
}

/** A new thread of `side` (its id is a real thread of that tenant, but not one of its fixtures). */
export async function freshThread(arena: Arena, side: Side, message = "Hello there"): Promise<string> {
  const res = await chat(arena, side, message);
  const id = res.headers.get("x-thread-id");
  if (res.status !== 200 || !id) throw new Error(`cannot open a thread for ${side.name}: ${res.status}`);
  return id;
}

/** The id of a new run of `side`'s. */
export async function freshRun(arena: Arena, side: Side): Promise<string> {
  const res = await chat(arena, side, "Hello there");
  const id = res.headers.get("x-run-id");
  if (res.status !== 200 || !id) throw new Error(`cannot start a run for ${side.name}: ${res.status}`);
  return id;
}

import {
  type AgentModels,
  type AnswerInput,
  createTenantContext,
  type KnowledgeStore,
  offlineModels,
  type TenantContext,
} from "@ragkit/core";
import { type JWTPayload, SignJWT } from "jose";
import { createRagHandler, type RagHandler, type RagHandlerOptions } from "../../src/index.js";
import { openTestStore } from "../store.js";
import { type Served, serve } from "../support.js";

export const SECRET = "a-streaming-test-secret-of-at-least-32-bytes!";

export async function mint(tenantId: string, sub = "user-1", extra: JWTPayload = {}): Promise<string> {
  return new SignJWT({ tenant_id: tenantId, ...extra })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setSubject(sub)
    .setAudience("authenticated")
    .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(SECRET));
}

/** Controls how many answer tokens the fake model may emit; it stops at once when its run is aborted. */
export class TokenGate {
  allowed = Number.POSITIVE_INFINITY;
  emitted = 0;
  aborts = 0;
  private waiters = new Set<() => void>();

  release(n: number): void {
    this.allowed = (Number.isFinite(this.allowed) ? this.allowed : 0) + n;
    for (const w of [...this.waiters]) w();
  }

  hold(): void {
    this.allowed = this.emitted;
  }

  open(): void {
    this.allowed = Number.POSITIVE_INFINITY;
    for (const w of [...this.waiters]) w();
  }

  async wait(signal: AbortSignal | undefined): Promise<void> {
    while (this.emitted >= this.allowed) {
      if (signal?.aborted) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        this.waiters.add(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    }
    if (signal?.aborted) {
      this.aborts++;
      throw Object.assign(new Error("aborted"), { name: "AbortError" });
    }
    this.emitted++;
  }
}

/** The offline answer model, streamed word by word through a gate. */
export function gatedModels(gate: TokenGate): Partial<AgentModels> {
  return {
    async answer(input: AnswerInput) {
      const deltas: string[] = [];
      const out = await offlineModels.answer({ ...input, onDelta: (d) => deltas.push(d) });
      for (const delta of deltas) {
        for (const word of delta.match(/\S*\s*/g)?.filter((w) => w !== "") ?? [delta]) {
          await gate.wait(input.signal);
          input.onDelta(word);
        }
      }
      return out;
    },
  };
}

function paragraphs(title: string, body: string) {
  return {
    title,
    text: body,
    source: "upload" as const,
    chunks: [{ text: body, start: 0, end: body.length }],
  };
}

export interface World {
  store: KnowledgeStore;
  a: TenantContext;
  b: TenantContext;
  gate: TokenGate;
  handler: RagHandler;
  served: Served;
  tokenA: string;
  tokenB: string;
  close(): Promise<void>;
}

/** A store with two tenants and documents, and a handler with a gated answer model behind a real HTTP server. */
export async function startWorld(
  agent: NonNullable<RagHandlerOptions["agent"]> = {},
  store?: KnowledgeStore,
): Promise<World> {
  const s = store ?? (await openTestStore());
  const a = createTenantContext({ tenantId: "tenant-a", userId: "seed", source: "system" });
  const b = createTenantContext({ tenantId: "tenant-b", userId: "seed", source: "system" });
  await s.ensureTenant(a);
  await s.ensureTenant(b);
  await s.putDocument(
    a,
    paragraphs("Aurora budget", "The aurora project budget is five million euros for the first year."),
  );
  await s.putDocument(b, paragraphs("Cafeteria", "The cafeteria serves soup on Mondays."));
  const gate = new TokenGate();
  const handler = createRagHandler({
    store: s,
    auth: { jwtSecret: SECRET },
    agent: {
      heartbeatMs: 50,
      pollIntervalMs: 50,
      flushIntervalMs: 20,
      ...agent,
      options: { models: gatedModels(gate), requireApprovalFor: [], ...agent.options },
    },
  });
  const served = await serve(handler);
  return {
    store: s,
    a,
    b,
    gate,
    handler,
    served,
    tokenA: await mint("tenant-a", "alice"),
    tokenB: await mint("tenant-b", "bob"),
    async close() {
      await served.close();
      await handler.close();
      if (!store) await s.close();
    },
  };
}

export function post(
  base: string,
  path: string,
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

export function get(base: string, path: string, token: string, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

export { type Frame, readSse } from "../sse.js";

export async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

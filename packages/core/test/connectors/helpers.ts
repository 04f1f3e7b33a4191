import { randomBytes } from "node:crypto";
import { SecretBox } from "../../src/connectors/crypto.js";
import { ConnectorService } from "../../src/connectors/service.js";
import type { SyncEvent, SyncSummary } from "../../src/connectors/types.js";
import { IngestionQueue } from "../../src/jobs/queue.js";
import type { EgressOptions, HostResolver } from "../../src/net/policy.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import { type PGliteTestDatabase, startDatabase } from "../support/databases.js";

export interface Harness {
  db: PGliteTestDatabase;
  store: KnowledgeStore;
  queue: IngestionQueue;
  service: ConnectorService;
  key: Buffer;
  tenant(name?: string): Promise<TenantContext>;
  stop(): Promise<void>;
}

let n = 0;

/** Tests never query DNS: every name is unknown here (msw answers the SharePoint hosts before any connection). */
export const noDns: HostResolver = async (name) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name} (tests do not use DNS)`), {
    code: "ENOTFOUND",
  });
};

/**
 * The local servers (HTTP, s3rver) listen on 127.0.0.1: allowed explicitly, as a host would allow a MinIO on
 * its private network. The default policy (public only) is what the egress tests exercise.
 */
export const testEgress: EgressOptions = { allow: ["127.0.0.1"], resolve: noDns };

/** PGlite + store + queue + connector service with a random credentials key. */
export async function startHarness(): Promise<Harness> {
  const db = await startDatabase("pglite");
  const store = await KnowledgeStore.open({ driver: db.driver });
  const queue = new IngestionQueue(store, { retryBaseMs: 0, pollIntervalMs: 50, workerId: "test-worker" });
  const key = randomBytes(32);
  const service = new ConnectorService(store, queue, { secrets: new SecretBox(key), egress: testEgress });
  return {
    db,
    store,
    queue,
    service,
    key,
    tenant: async (name) => {
      const ctx = createTenantContext({ tenantId: name ?? `conn-${process.pid}-${++n}`, userId: "admin" });
      await store.ensureTenant(ctx);
      return ctx;
    },
    stop: () => db.stop(),
  };
}

/** Drains a sync, returning its events and its summary (the generator's return value). */
export async function collect(
  sync: AsyncGenerator<SyncEvent, SyncSummary>,
  onEvent?: (event: SyncEvent) => void,
): Promise<{ events: SyncEvent[]; summary: SyncSummary }> {
  const events: SyncEvent[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    const next = await sync.next();
    if (next.done) return { events, summary: next.value };
    events.push(next.value);
    onEvent?.(next.value);
  }
  throw new Error("sync did not end");
}

export function failures(events: readonly SyncEvent[]) {
  return events.flatMap((e) => (e.type === "object_failed" ? [e] : []));
}

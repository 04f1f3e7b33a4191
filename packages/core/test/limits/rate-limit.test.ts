import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeRateLimit } from "../../src/limits/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { createTenantContext } from "../../src/tenant/context.js";
import {
  type DriverKind,
  driverKinds,
  openStore,
  startDatabase,
  type TestDatabase,
} from "../support/databases.js";
import { fixedEmbedder } from "../support/fixtures.js";

describe.each(driverKinds)("database-backed rate limits (%s)", (kind: DriverKind) => {
  let db: TestDatabase;
  let replicaA: KnowledgeStore;
  let replicaB: KnowledgeStore;
  const acme = createTenantContext({ tenantId: "acme", userId: "alice", source: "test" });
  const globex = createTenantContext({ tenantId: "globex", userId: "bob", source: "test" });
  const rule = { limit: 3, windowSec: 60 };
  // The start of a fixed window, so "elapsed" is known exactly.
  const t0 = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000);
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  beforeAll(async () => {
    db = await startDatabase(kind);
    // Two stores over one database: two stateless server replicas (two pools on a real server).
    replicaA = await openStore(db, { embedder: fixedEmbedder("fixed", 8) });
    replicaB = await KnowledgeStore.open({
      driver: await db.replica(),
      embedder: fixedEmbedder("fixed", 8),
      migrate: false,
    });
    await replicaA.ensureTenant(acme);
    await replicaA.ensureTenant(globex);
  });
  afterAll(async () => {
    await db?.stop();
  });

  it("allows the limit, then refuses with a Retry-After, across replicas", async () => {
    const decisions = [];
    for (const [i, store] of [replicaA, replicaB, replicaA, replicaB].entries()) {
      decisions.push(await consumeRateLimit(store, acme, "user:alice", rule, at(i)));
    }
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    // 4 counted (the refusal too). In the next window a request is estimated at 4 · (1 − t) + 1 ≤ 3 once
    // t ≥ 1/2: 57 s left of this window + 30 s.
    expect(decisions[3]!.retryAfterSec).toBe(87);
  });

  it("keeps keys and tenants apart", async () => {
    expect((await consumeRateLimit(replicaA, acme, "user:carol", rule, at(5))).allowed).toBe(true);
    expect((await consumeRateLimit(replicaA, globex, "user:alice", rule, at(5))).remaining).toBe(2);
    const rows = await replicaA.withTenant(globex, (tx) =>
      tx.query<{ key: string }>("SELECT key FROM ragkit.rate_limit_counters"),
    );
    expect(rows.map((r) => r.key)).toEqual(["user:alice@60s"]); // RLS: acme's counters are invisible
  });

  it("keeps rules of different window lengths on one key apart, even where their windows start together", async () => {
    // On the hour a 60 s and a 3600 s window begin at the same instant: one CI run's tenant budget once
    // inherited another test's per-minute count this way.
    const hour = new Date(Math.ceil(t0.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
    for (let i = 0; i < 3; i++) {
      expect(
        (await consumeRateLimit(replicaA, acme, "hourly", { limit: 3, windowSec: 60 }, hour)).allowed,
      ).toBe(true);
    }
    const long = await consumeRateLimit(replicaB, acme, "hourly", { limit: 2, windowSec: 3600 }, hour);
    expect(long).toMatchObject({ allowed: true, remaining: 1 });
    expect(
      (await consumeRateLimit(replicaA, acme, "hourly", { limit: 3, windowSec: 60 }, hour)).allowed,
    ).toBe(false);
  });

  it("slides: the previous window still counts, weighted by its overlap", async () => {
    // Next window, 30 s in: estimate = 4 · 0.5 + 1 = 3 → allowed (the limit is 3).
    const first = await consumeRateLimit(replicaA, acme, "user:alice", rule, at(90));
    expect(first).toMatchObject({ allowed: true, remaining: 0 });
    // 4 · 0.5 + 2 = 4 > 3 → refused (and counted): the next request is this window's third, so it fits only
    // once the old window no longer overlaps, 30 s from now.
    const second = await consumeRateLimit(replicaA, acme, "user:alice", rule, at(90));
    expect(second).toMatchObject({ allowed: false, retryAfterSec: 30 });
    // Two windows later, nothing old counts.
    expect((await consumeRateLimit(replicaA, acme, "user:alice", rule, at(185))).remaining).toBe(2);
  });

  it("rejects an invalid rule with a typed error", async () => {
    await expect(consumeRateLimit(replicaA, acme, "k", { limit: 0, windowSec: 60 })).rejects.toMatchObject({
      code: "invalid_input",
    });
  });
});

import {
  createTenantContext,
  exampleSalesDataset,
  exampleSalesRows,
  type KnowledgeStore,
  seedExampleSales,
} from "@ragkit/core";
import { datasetListResponseSchema } from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRagHandler, type RagHandler } from "../src/index.js";
import { openTestStore } from "./store.js";
import { type Served, serve } from "./support.js";
import { call, TEST_SECRET, tokenFor } from "./tokens.js";

/** `GET /datasets`: the handler's `datasets` option registers them; each tenant sees its own sample values. */
describe("GET /datasets", () => {
  let store: KnowledgeStore;
  let handler: RagHandler;
  let served: Served;
  const a = createTenantContext({ tenantId: "ds-a", userId: "seed", source: "system" });
  const b = createTenantContext({ tenantId: "ds-b", userId: "seed", source: "system" });

  beforeAll(async () => {
    store = await openTestStore();
    handler = createRagHandler({
      store,
      auth: { jwtSecret: TEST_SECRET },
      datasets: [exampleSalesDataset(store.schema)],
    });
    served = await serve(handler);
    for (const ctx of [a, b]) await store.ensureTenant(ctx);
    // The first request registers the handler's datasets (seeding then finds sales_view registered).
    expect(await store.listRegisteredDatasets()).toEqual([]);
    expect((await call(served.url, "/datasets", { token: await tokenFor("ds-a") })).status).toBe(200);
    expect((await store.listRegisteredDatasets()).map((d) => d.name)).toEqual(["sales_view"]);
    await seedExampleSales(store, a, exampleSalesRows({ regions: ["North", "South"] }));
    await seedExampleSales(store, b, exampleSalesRows({ regions: ["East"] }));
  });
  afterAll(async () => {
    await served?.close();
    await handler?.close();
    await store?.close();
  });

  it("lists the registered datasets with columns, types, roles and the caller's own samples", async () => {
    const res = await call(served.url, "/datasets", { token: await tokenFor("ds-a") });
    expect(res.status).toBe(200);
    const body = datasetListResponseSchema.parse(await res.json());
    expect(body.datasets.map((d) => d.name)).toEqual(["sales_view"]);
    const columns = Object.fromEntries(body.datasets[0]!.columns.map((c) => [c.name, c]));
    expect(Object.keys(columns)).toEqual(["month", "region", "product", "units", "revenue"]);
    expect(columns.revenue).toMatchObject({ type: "numeric(14,2)", role: "measure", samples: [] });
    expect(columns.region!.samples).toEqual(["North", "South"]);
    expect(columns.month!.samples[0]).toBe("2025-01-01");

    const other = datasetListResponseSchema.parse(
      await (await call(served.url, "/datasets", { token: await tokenFor("ds-b") })).json(),
    );
    expect(other.datasets[0]!.columns.find((c) => c.name === "region")!.samples).toEqual(["East"]);
  });

  it("needs a verified token", async () => {
    expect((await call(served.url, "/datasets")).status).toBe(401);
  });
});

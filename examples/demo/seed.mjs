// Seeds the demo's two tenants: their own documents (through the real ingestion pipeline) and their own
// monthly sales rows for the SQL and chart tools. Idempotent: a re-run finds every document unchanged.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTenantContext, exampleSalesRows, ingestDocument, seedExampleSales } from "@ragkit/core";

/** Small chunks: citations then point at a paragraph, not at a whole page. */
export const DEMO_CHUNKING = { chunkSize: 128 };

export const DEMO_TENANTS = {
  acme: { name: "Acme Corporation", sales: { regions: ["North", "South", "West"], scale: 1 } },
  globex: {
    name: "Globex",
    sales: { regions: ["Europe", "Americas", "Asia"], products: { Hyperion: 149, Sensor: 39 }, scale: 0.6 },
  },
};

const samples = join(import.meta.dirname, "samples");

/** Returns one line per document: `[tenant] file: outcome`. */
export async function seedDemo(store) {
  const lines = [];
  for (const [tenantId, tenant] of Object.entries(DEMO_TENANTS)) {
    const ctx = createTenantContext({ tenantId, userId: "demo-seed", source: "system" });
    await store.ensureTenant(ctx, { name: tenant.name });
    for (const file of readdirSync(join(samples, tenantId)).sort()) {
      const result = await ingestDocument(
        store,
        ctx,
        {
          data: readFileSync(join(samples, tenantId, file)),
          filename: file,
          sourceId: `demo/${tenantId}/${file}`,
        },
        { source: "demo", chunking: DEMO_CHUNKING },
      );
      lines.push(`[${tenantId}] ${file}: ${result.outcome}, ${result.chunks} chunks`);
    }
    await seedExampleSales(store, ctx, exampleSalesRows(tenant.sales));
  }
  return lines;
}

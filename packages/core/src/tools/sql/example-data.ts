import type { KnowledgeStore } from "../../store/knowledge-store.js";
import type { TenantContext } from "../../tenant/context.js";
import { exampleSalesDataset } from "./datasets/example-sales.js";

/** One row of the example `sales` table (migration 004): one month, region and product. */
export interface SalesRow {
  /** First day of the month, `YYYY-MM-01`. */
  month: string;
  region: string;
  product: string;
  units: number;
  /** Decimal with at most two fraction digits. */
  revenue: number;
}

export interface ExampleSalesOptions {
  year?: number;
  regions?: readonly string[];
  /** Product name → unit price. */
  products?: Readonly<Record<string, number>>;
  /** Multiplies every unit count (lets two tenants hold visibly different data). Default 1. */
  scale?: number;
}

/**
 * A deterministic, realistic monthly-sales dataset: 12 months × 3 regions × 2 products by default, with a
 * seasonal curve (Q4 peak, summer dip), regional sizes and a slow upward trend. Revenue = units × price.
 */
export function exampleSalesRows(options: ExampleSalesOptions = {}): SalesRow[] {
  const year = options.year ?? 2025;
  const regions = options.regions ?? ["North", "South", "West"];
  const products = options.products ?? { Widget: 24.5, Gadget: 89 };
  const scale = options.scale ?? 1;
  const season = [0.85, 0.8, 0.95, 1, 1.05, 0.9, 0.85, 0.9, 1.05, 1.15, 1.3, 1.45];
  const regionSize = [1.2, 0.9, 1];
  const productBase = [140, 45];
  const rows: SalesRow[] = [];
  for (let m = 0; m < 12; m++) {
    regions.forEach((region, r) => {
      Object.entries(products).forEach(([product, price], p) => {
        const trend = 1 + m * 0.01;
        const base = productBase[p % productBase.length]! * regionSize[r % regionSize.length]!;
        const units = Math.round(base * season[m]! * trend * scale + ((m * 7 + r * 3 + p * 5) % 11));
        rows.push({
          month: `${year}-${String(m + 1).padStart(2, "0")}-01`,
          region,
          product,
          units,
          revenue: Math.round(units * price * 100) / 100,
        });
      });
    });
  }
  return rows;
}

/**
 * Inserts example sales rows for one tenant (as the app role, under row-level security). Idempotent per
 * (month, region, product): existing rows are updated. Returns the rows written. Registers
 * `exampleSalesDataset` first when it is not registered yet (which needs the store's owner connection).
 */
export async function seedExampleSales(
  store: KnowledgeStore,
  ctx: TenantContext,
  rows: readonly SalesRow[] = exampleSalesRows(),
): Promise<SalesRow[]> {
  if (rows.length === 0) return [];
  const registered = await store.listRegisteredDatasets();
  if (!registered.some((d) => d.name === "sales_view")) {
    await store.registerDataset(exampleSalesDataset(store.schema));
  }
  await store.withTenant(ctx, (tx) =>
    tx.query(
      `INSERT INTO ${store.schema}.sales (tenant_id, month, region, product, units, revenue)
       SELECT ${store.schema}.current_tenant(), * FROM unnest($1::date[], $2::text[], $3::text[], $4::int[], $5::numeric[])
       ON CONFLICT (tenant_id, month, region, product)
       DO UPDATE SET units = excluded.units, revenue = excluded.revenue`,
      [
        rows.map((r) => r.month),
        rows.map((r) => r.region),
        rows.map((r) => r.product),
        rows.map((r) => r.units),
        rows.map((r) => String(r.revenue)),
      ],
    ),
  );
  return [...rows];
}

import type { DatasetSpecInput } from "./spec.js";

/**
 * The example monthly-sales data (table `<schema>.sales` of migration 004, filled by `seedExampleSales`) as a
 * registered dataset, exactly as a host would register its own table: the demo registers it, nothing else
 * treats it specially.
 */
export function exampleSalesDataset(schema = "ragkit"): DatasetSpecInput {
  return {
    name: "sales_view",
    description: "Monthly sales of the current tenant: one row per month, region and product.",
    source: { table: `${schema}.sales` },
    columns: [
      { name: "month", role: "time", description: "First day of the month." },
      { name: "region", role: "dimension", description: "Sales region." },
      { name: "product", role: "dimension", description: "Product name." },
      { name: "units", role: "measure", description: "Units sold.", synonyms: ["quantity", "volume"] },
      {
        name: "revenue",
        role: "measure",
        description: "Revenue in the month, units × unit price.",
        synonyms: ["sales", "income", "turnover", "earnings"],
      },
    ],
    synonyms: ["sale", "sales rows"],
  };
}

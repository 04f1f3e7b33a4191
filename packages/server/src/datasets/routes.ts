import type { Route } from "../router.js";

/** A sample as JSON: dates as ISO days (or timestamps), bigints and numerics as given, anything else as text. */
function sample(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") return value;
  return String(value);
}

/** The registered datasets the caller's tenant can query, with sample values from its own rows only. */
const list: Route<"listDatasets"> = {
  name: "listDatasets",
  async handle({ tenant, requestId, reply }) {
    const { store, ctx } = await tenant();
    const described = await store.describeDatasets(ctx, { sampleRows: 0 });
    await store.audit.record(ctx, {
      action: "dataset.list",
      resourceType: "dataset",
      requestId,
      details: { count: described.length },
    });
    return reply({
      datasets: described.map((d) => ({
        name: d.name,
        description: d.description,
        columns: d.columns.map((c) => ({
          name: c.name,
          type: c.type,
          ...(c.description === undefined ? {} : { description: c.description }),
          role: c.role,
          samples: c.samples.map(sample),
        })),
        relationships: d.relationships,
      })),
    });
  },
};

export const datasetRoutes: readonly Route[] = [list];

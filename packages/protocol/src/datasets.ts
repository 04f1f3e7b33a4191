import { z } from "zod";

/** A sample value of a column as JSON: text, a number, a boolean, or a date/time as an ISO string. */
const sampleSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** One column of a registered dataset, as the SQL tool (and the model) see it. */
export const datasetColumnSchema = z.object({
  name: z.string(),
  /** As Postgres prints it: `integer`, `numeric(10,2)`, `date`, `text` … */
  type: z.string(),
  description: z.string().optional(),
  /** How the offline translator and the chart use it. */
  role: z.enum(["measure", "dimension", "time", "key", "attribute"]),
  /** A few of the caller's tenant's own distinct values (never another tenant's). */
  samples: z.array(sampleSchema),
});
export type DatasetColumnSummary = z.infer<typeof datasetColumnSchema>;

export const datasetSummarySchema = z.object({
  /** The name SQL reads it by (`SELECT … FROM orders`). */
  name: z.string(),
  description: z.string(),
  columns: z.array(datasetColumnSchema),
  /** Many-to-one joins to other datasets. */
  relationships: z.array(
    z.object({ column: z.string(), references: z.object({ dataset: z.string(), column: z.string() }) }),
  ),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

/** `GET /datasets`: what the caller's tenant can ask questions of. */
export const datasetListResponseSchema = z.object({ datasets: z.array(datasetSummarySchema) });
export type DatasetListResponse = z.infer<typeof datasetListResponseSchema>;

import { z } from "zod";
import { validationErrorFromZod } from "../../../errors/index.js";

/**
 * What a host registers so the SQL tool may read one of its tables (see docs/sql-tool.md). Everything here is
 * validated with zod: names become SQL identifiers and so must be plain lower-case ones.
 */

const identifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,47}$/, "must be a lowercase SQL identifier (letters, digits, underscore)");
/** `table` or `schema.table`, each part a plain identifier. */
const qualifiedName = z
  .string()
  .regex(
    /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/,
    "must be `table` or `schema.table` (lowercase identifiers)",
  );
const words = z.array(z.string().trim().min(1).max(60)).max(20);

/**
 * How a column is used by the offline translator (`nlToSql`) and the chart: a `measure` is summed or averaged,
 * a `dimension` is grouped by, `time` is grouped by month and filtered by year, `key` joins (never shown).
 */
export const COLUMN_ROLES = ["measure", "dimension", "time", "key", "attribute"] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

export const datasetColumnSchema = z
  .object({
    name: identifier,
    description: z.string().max(500).optional(),
    role: z.enum(COLUMN_ROLES).default("attribute"),
    /** Other words for this column in questions ("sales" for revenue). */
    synonyms: words.default([]),
  })
  .strict();

export const datasetRelationshipSchema = z
  .object({
    /** A column of this dataset … */
    column: identifier,
    /** … that references a column of another registered dataset (a many-to-one join). */
    references: z.object({ dataset: identifier, column: identifier }).strict(),
  })
  .strict();

export const datasetSpecSchema = z
  .object({
    /** The view's name in `<schema>_data`: what SQL reads (`SELECT … FROM orders`). */
    name: identifier,
    description: z.string().trim().min(1).max(2000),
    /**
     * A tenant-scoped table the host owns (row-level security enabled, a `tenant_id`-like text column), whose
     * listed columns the view exposes — or a view definition (one SELECT over such tables, the host's own
     * trusted SQL) whose output columns are the listed ones.
     */
    source: z.union([
      z.object({ table: qualifiedName, tenantColumn: identifier.default("tenant_id") }).strict(),
      z
        .object({ view: z.string().trim().min(1).max(10_000), tenantColumn: identifier.default("tenant_id") })
        .strict(),
    ]),
    columns: z.array(datasetColumnSchema).min(1).max(100),
    relationships: z.array(datasetRelationshipSchema).max(20).default([]),
    /** Words for one row of the dataset ("order", "orders"): "how many orders …" counts rows. */
    synonyms: words.default([]),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const names = spec.columns.map((c) => c.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        ctx.addIssue({ code: "custom", path: ["columns", i, "name"], message: `duplicate column ${n}` });
      if (n === spec.source.tenantColumn) {
        ctx.addIssue({
          code: "custom",
          path: ["columns", i, "name"],
          message: `the tenant column ${n} is never exposed (row-level security scopes rows to the tenant)`,
        });
      }
    });
    spec.relationships.forEach((r, i) => {
      if (!names.includes(r.column)) {
        ctx.addIssue({
          code: "custom",
          path: ["relationships", i, "column"],
          message: `no column ${r.column}`,
        });
      }
    });
  });

export type DatasetSpecInput = z.input<typeof datasetSpecSchema>;
export type DatasetSpec = z.output<typeof datasetSpecSchema>;
export type DatasetColumnSpec = z.output<typeof datasetColumnSchema>;
export type DatasetRelationship = z.output<typeof datasetRelationshipSchema>;

export function parseDatasetSpec(input: unknown): DatasetSpec {
  const parsed = datasetSpecSchema.safeParse(input);
  if (!parsed.success) throw validationErrorFromZod("dataset", parsed.error.issues);
  return parsed.data;
}

/** A registered dataset as the tool, the prompt and `GET /datasets` see it (types from the database). */
export interface DatasetColumn extends DatasetColumnSpec {
  /** The column's type as Postgres prints it (`integer`, `numeric(14,2)`, `date`, `text` …). */
  type: string;
}

export interface Dataset {
  name: string;
  description: string;
  columns: DatasetColumn[];
  relationships: DatasetRelationship[];
  synonyms: string[];
}

export const datasetIdentifier = identifier;

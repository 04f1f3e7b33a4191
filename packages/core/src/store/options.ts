import { z } from "zod";
import type { SqlDriver } from "../db/driver.js";
import type { Embedder } from "../embeddings/types.js";

export const identifierSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,47}$/, "must be a lowercase SQL identifier (letters, digits, underscore)");

export const storeOptionsSchema = z.object({
  /**
   * Where the data lives. Omitted or "memory://": in-memory PGlite. A filesystem path or "file://path":
   * PGlite persisted in that directory. "postgres://…" / "postgresql://…": any Postgres with pgvector via `pg`.
   */
  database: z.string().optional(),
  /**
   * Hardened deployments: the owner connection used only to run migrations (and operator actions such as
   * `withDeferredVectorIndex`), while `database` logs in as a non-superuser role that is a member of the app
   * role only — so even raw SQL cannot `SET ROLE` its way out of row-level security.
   */
  migrationDatabase: z.string().optional(),
  /** A login role to grant the app and worker roles to while migrating (it must already exist). */
  runtimeRole: identifierSchema.optional(),
  schema: identifierSchema.default("ragkit"),
  /** BM25 parameters (Robertson/Lucene defaults). */
  bm25: z
    .object({ k1: z.number().min(0).max(10).default(1.2), b: z.number().min(0).max(1).default(0.75) })
    .default({ k1: 1.2, b: 0.75 }),
  /** Accept an embedder whose name differs from the recorded one (same dimension). Vectors become incomparable. */
  allowEmbedderChange: z.boolean().default(false),
  /** Default channel weights for hybrid search (per-query `weights` override them). Default: equal. */
  hybridWeights: z
    .object({ dense: z.number().min(0).max(100), lexical: z.number().min(0).max(100) })
    .optional(),
  /**
   * Default of the agreement gate of hybrid score fusion (per-query `agreementGate` overrides it): the dense
   * channel weighs fully only as far as the lexical channel corroborates it. Default: on for the offline
   * hashing embedder (its dense signal is a noisy second view of the same words), off for model embedders.
   * See docs/store.md and docs/benchmarks.md.
   */
  hybridAgreementGate: z.boolean().optional(),
});

export type StoreOptionsInput = z.input<typeof storeOptionsSchema> & {
  /** The embedder for documents and queries; default: the offline hashing embedder. */
  embedder?: Embedder;
  /** A driver you built yourself (e.g. over an existing PGlite instance or pg Pool). Overrides `database`. */
  driver?: SqlDriver;
  /** An owner driver for migrations; overrides `migrationDatabase`. Not closed by the store. */
  migrationDriver?: SqlDriver;
  /**
   * Run migrations on the runtime connection (default: true, unless a migration connection is given).
   * With `false` the store only verifies, as the app role, that the schema is current.
   */
  migrate?: boolean;
};
export type StoreOptions = z.output<typeof storeOptionsSchema>;

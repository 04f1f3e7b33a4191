import type { SqlDriver } from "../db/driver.js";
import { ConfigError, DimensionMismatchError } from "../errors/index.js";

export interface IndexSettings {
  embedder: string;
  dimension: number;
  textSearchConfig: string;
}

/**
 * Records the embedder dimension and text search configuration the first time a store opens, and adds the
 * dimension CHECK and the HNSW expression index for it. Later opens must agree: vectors of another
 * dimension (or another tokeniser) would silently break search.
 */
export async function ensureIndexSettings(
  driver: SqlDriver,
  schema: string,
  wanted: IndexSettings,
  options: { allowEmbedderChange: boolean },
): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`ragkit:index-settings:${schema}`]);
    const rows = await tx.query<{ value: IndexSettings }>(
      `SELECT value FROM ${schema}.store_meta WHERE key = 'index'`,
    );
    const current = rows[0]?.value;
    if (current) {
      assertCompatible(current, wanted, options);
      return;
    }
    const cfg = await tx.query("SELECT 1 FROM pg_ts_config WHERE cfgname = $1", [wanted.textSearchConfig]);
    if (cfg.length === 0) {
      throw new ConfigError(`Unknown Postgres text search configuration "${wanted.textSearchConfig}".`);
    }
    const d = wanted.dimension;
    await tx.exec(`
      ALTER TABLE ${schema}.chunks ADD CONSTRAINT chunks_embedding_dimension
        CHECK (embedding IS NULL OR vector_dims(embedding) = ${d});
      ${vectorIndexSql(schema, d)}`);
    await tx.query(`INSERT INTO ${schema}.store_meta (key, value) VALUES ('index', $1::jsonb)`, [
      JSON.stringify(wanted),
    ]);
  });
}

/** pgvector's HNSW indexes `vector` up to 2,000 dimensions and `halfvec` up to 4,000 (e.g. 3,072-d models). */
export function indexVectorType(dimension: number): "vector" | "halfvec" {
  if (dimension > 4000)
    throw new ConfigError(`Embedding dimension ${dimension} exceeds pgvector's HNSW limit (4,000).`);
  return dimension > 2000 ? "halfvec" : "vector";
}

export function vectorIndexSql(schema: string, dimension: number): string {
  const type = indexVectorType(dimension);
  return `CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw ON ${schema}.chunks
    USING hnsw ((embedding::${type}(${dimension})) ${type}_cosine_ops) WITH (m = 16, ef_construction = 64);`;
}

/** Throws unless a store recorded with `current` can be used with the `wanted` embedder and tokeniser. */
export function assertCompatible(
  current: IndexSettings,
  wanted: IndexSettings,
  options: { allowEmbedderChange: boolean },
): void {
  if (current.dimension !== wanted.dimension) {
    throw new DimensionMismatchError(
      `This store holds ${current.dimension}-dimensional vectors (embedder "${current.embedder}"), ` +
        `but the configured embedder "${wanted.embedder}" produces ${wanted.dimension} dimensions. ` +
        "Use the original embedder, or create a new store (another database or schema) and re-ingest.",
    );
  }
  if (current.embedder !== wanted.embedder && !options.allowEmbedderChange) {
    throw new ConfigError(
      `This store was indexed with embedder "${current.embedder}" but "${wanted.embedder}" is configured. ` +
        "Vectors from different models are not comparable; re-ingest into a new store, or pass " +
        "allowEmbedderChange: true if the models are known to be compatible.",
    );
  }
  if (current.textSearchConfig !== wanted.textSearchConfig) {
    throw new ConfigError(
      `This store's lexical index uses text search configuration "${current.textSearchConfig}", ` +
        `not "${wanted.textSearchConfig}".`,
    );
  }
}

/**
 * For a runtime connection that must not migrate (a non-owner login role): checks, as the app role, that every
 * migration is applied and that the recorded index settings match.
 */
export async function verifyReady(
  driver: SqlDriver,
  names: { schema: string; appRole: string },
  latestVersion: number,
  wanted: IndexSettings,
  options: { allowEmbedderChange: boolean },
): Promise<void> {
  const { version, settings } = await driver.transaction(async (tx) => {
    await tx.query("SELECT set_config('role', $1, true)", [names.appRole]);
    const v = await tx.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${names.schema}.migrations`,
    );
    const m = await tx.query<{ value: IndexSettings }>(
      `SELECT value FROM ${names.schema}.store_meta WHERE key = 'index'`,
    );
    return { version: v[0]?.version ?? 0, settings: m[0]?.value };
  });
  if (version < latestVersion || !settings) {
    throw new ConfigError(
      `The database schema is at migration ${version} but this version of RagKit needs ${latestVersion}. ` +
        "Open the store once with the owner connection (migrationDatabase) to migrate it.",
    );
  }
  assertCompatible(settings, wanted, options);
}

import type { SqlDriver } from "../db/driver.js";
import { ConfigError, DimensionMismatchError } from "../errors/index.js";
import { lexicalAnalyzerOf, rebuildPostings } from "./lexical-index.js";

export interface IndexSettings {
  embedder: string;
  dimension: number;
  /** The analyzer the lexical postings were built with (`LEXICAL_ANALYZER`). */
  lexicalAnalyzer: string;
}

/** Settings as recorded by any release: before `lexicalAnalyzer`, a Postgres `textSearchConfig`. */
type RecordedSettings = Omit<IndexSettings, "lexicalAnalyzer"> & {
  lexicalAnalyzer?: string;
  textSearchConfig?: string;
};

/**
 * Records the embedder dimension and the lexical analyzer the first time a store opens, and adds the
 * dimension CHECK and the HNSW expression index for it. Later opens must agree on the embedder: vectors of
 * another dimension would silently break search. Postings of another analyzer (an older release) are
 * rebuilt from the stored chunk text here, by the owner, before the store is used.
 */
export async function ensureIndexSettings(
  driver: SqlDriver,
  schema: string,
  wanted: IndexSettings,
  options: { allowEmbedderChange: boolean },
): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`ragkit:index-settings:${schema}`]);
    const rows = await tx.query<{ value: RecordedSettings }>(
      `SELECT value FROM ${schema}.store_meta WHERE key = 'index'`,
    );
    const current = rows[0]?.value;
    if (current) {
      assertCompatible(current, wanted, options, { lexical: false });
      if (lexicalAnalyzerOf(current) !== wanted.lexicalAnalyzer) {
        await rebuildPostings(tx, schema);
        const { textSearchConfig: _legacy, ...rest } = current;
        await tx.query(
          `UPDATE ${schema}.store_meta SET value = $1::jsonb, updated_at = now() WHERE key = 'index'`,
          [JSON.stringify({ ...rest, lexicalAnalyzer: wanted.lexicalAnalyzer })],
        );
      }
      return;
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

export function vectorIndexSql(
  schema: string,
  dimension: number,
  options: { concurrently?: boolean } = {},
): string {
  const type = indexVectorType(dimension);
  const concurrently = options.concurrently ? " CONCURRENTLY" : "";
  return `CREATE INDEX${concurrently} IF NOT EXISTS chunks_embedding_hnsw ON ${schema}.chunks
    USING hnsw ((embedding::${type}(${dimension})) ${type}_cosine_ops) WITH (m = 16, ef_construction = 64);`;
}

/**
 * Drops the HNSW index for a bulk load. CONCURRENTLY: a plain DROP INDEX takes an exclusive lock on `chunks`,
 * which queues every search behind the longest running one.
 */
export async function dropVectorIndex(owner: SqlDriver, schema: string): Promise<void> {
  await owner.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${schema}.chunks_embedding_hnsw`);
}

/**
 * Builds the HNSW index on a live table. CONCURRENTLY: a plain CREATE INDEX lets searches through but blocks
 * every write to `chunks` (uploads, reindexing) for the whole build, minutes on a large tenant. A build that is
 * interrupted leaves an invalid index (searches then scan exactly); the next drop-and-build replaces it.
 */
export async function buildVectorIndex(owner: SqlDriver, schema: string, dimension: number): Promise<void> {
  await owner.exec(vectorIndexSql(schema, dimension, { concurrently: true }));
}

/**
 * Throws unless a store recorded with `current` can be used with the `wanted` embedder and (unless
 * `check.lexical` is false, for the owner who rebuilds stale postings) lexical analyzer.
 */
export function assertCompatible(
  current: RecordedSettings,
  wanted: IndexSettings,
  options: { allowEmbedderChange: boolean },
  check: { lexical: boolean } = { lexical: true },
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
  const analyzer = lexicalAnalyzerOf(current);
  if (check.lexical && analyzer !== wanted.lexicalAnalyzer) {
    throw new ConfigError(
      `This store's lexical postings were built by "${analyzer}", but this version of RagKit analyses text ` +
        `with "${wanted.lexicalAnalyzer}". Open the store once with the owner connection (migrationDatabase) ` +
        "to rebuild them from the stored chunk text.",
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
    const m = await tx.query<{ value: RecordedSettings }>(
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

import { LEXICAL_ANALYZER } from "../analysis/index.js";
import type { Queryable, SqlDriver } from "../db/driver.js";
import type { Embedder } from "../embeddings/types.js";
import {
  ConfigError,
  NotFoundError,
  RagKitError,
  ValidationError,
  validationErrorFromZod,
} from "../errors/index.js";
import { migrations, runMigrations } from "../migrations/index.js";
import { type DenseRow, denseScanSettings, denseSearch } from "../search/dense.js";
import { reciprocalRankFusion, scoreFusion } from "../search/fusion.js";
import { type LexicalRow, lexicalSearch } from "../search/lexical.js";
import type { ResultRow } from "../search/sql.js";
import {
  type ParsedSearchInput,
  type SearchInput,
  type SearchResult,
  searchInputSchema,
} from "../search/types.js";
import type { TenantContext } from "../tenant/context.js";
import {
  type DescribedDataset,
  type DescribeOptions,
  describeDatasets,
} from "../tools/sql/datasets/describe.js";
import { loadDatasets, needsOwner, registerDataset, removeDataset } from "../tools/sql/datasets/registry.js";
import type { Dataset, DatasetSpecInput } from "../tools/sql/datasets/spec.js";
import { AuditLog } from "./audit.js";
import { decodeDocumentCursor, encodeDocumentCursor } from "./cursor.js";
import { buildVectorIndex, dropVectorIndex, ensureIndexSettings, verifyReady } from "./dimension.js";
import {
  contentHashOf,
  type DocumentRecord,
  type DocumentRow,
  type DocumentStatus,
  documentColumns,
  documentStatusSchema,
  insertChunks,
  type ParsedPutDocument,
  type PutDocumentInput,
  type PutDocumentResult,
  parseJson,
  parsePutDocument,
  toDocumentRecord,
} from "./documents.js";
import { openDriver } from "./open-driver.js";
import { type StoreOptions, type StoreOptionsInput, storeOptionsSchema } from "./options.js";
import { type ScopeNames, withTenant } from "./tenant-scope.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PutOptions {
  /**
   * Runs inside the write transaction after the documents are written; throwing rolls the write back. Lets a
   * caller (e.g. the job queue) commit its own bookkeeping atomically with the documents.
   */
  beforeCommit?: (tx: Queryable, results: readonly PutDocumentResult[]) => Promise<void>;
  /**
   * Rewrite documents even when their content is unchanged (a reindex with new chunking or a new embedder):
   * the outcome is then "replaced" instead of "unchanged".
   */
  force?: boolean;
}

export interface ListDocumentsOptions {
  status?: DocumentStatus;
  limit?: number;
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string | null;
}

export interface DocumentPage {
  documents: DocumentRecord[];
  nextCursor: string | null;
}

export interface ChunkRecord {
  id: string;
  documentId: string;
  chunkIndex: number;
  text: string;
  start: number;
  end: number;
  pageNumber: number | null;
  sectionTitle: string | null;
  metadata: Record<string, unknown>;
}

/**
 * The tenant-isolated knowledge store. Every method that touches tenant data takes a TenantContext and runs
 * as the non-owner app role under row-level security with that tenant set for the transaction only.
 */
export class KnowledgeStore {
  readonly driver: SqlDriver;
  readonly embedder: Embedder;
  readonly options: StoreOptions;
  readonly audit: AuditLog;
  private readonly names: ScopeNames;

  /** The owner connection for operator actions, or null for a runtime-only store. */
  private readonly owner: SqlDriver | null;
  /** Drivers this store opened itself and must close. */
  private readonly owned: SqlDriver[];

  private constructor(
    driver: SqlDriver,
    embedder: Embedder,
    options: StoreOptions,
    owner: SqlDriver | null,
    owned: SqlDriver[],
  ) {
    this.driver = driver;
    this.owner = owner;
    this.owned = owned;
    this.embedder = embedder;
    this.options = options;
    this.names = { schema: options.schema, appRole: `${options.schema}_app` };
    this.audit = new AuditLog((ctx, fn) => this.withTenant(ctx, fn), options.schema);
  }

  /** Opens (and migrates) a store. With no options: in-memory PGlite and the offline embedder. */
  static async open(input: StoreOptionsInput = {}): Promise<KnowledgeStore> {
    const {
      embedder: givenEmbedder,
      driver: givenDriver,
      migrationDriver: givenOwner,
      migrate,
      ...rest
    } = input;
    if ("textSearchConfig" in rest) {
      throw new ConfigError(
        "The textSearchConfig store option was removed: lexical terms now come from RagKit's text analysis " +
          `(analyzer "${LEXICAL_ANALYZER}"), shared with the offline embedder and the agent. See docs/store.md.`,
      );
    }
    const parsed = storeOptionsSchema.safeParse(rest);
    if (!parsed.success) throw validationErrorFromZod("store options", parsed.error.issues);
    const options = parsed.data;
    const embedder = givenEmbedder ?? new (await import("../embeddings/offline.js")).OfflineEmbedder();
    if (!Number.isInteger(embedder.dimension) || embedder.dimension < 1) {
      throw new ConfigError(
        `Embedder "${embedder.name}" reports an invalid dimension (${embedder.dimension}).`,
      );
    }
    const names = { schema: options.schema, appRole: `${options.schema}_app` };
    const wanted = {
      embedder: embedder.name,
      dimension: embedder.dimension,
      lexicalAnalyzer: LEXICAL_ANALYZER,
    };
    const settingsOptions = { allowEmbedderChange: options.allowEmbedderChange };
    const owned: SqlDriver[] = [];
    const track = async (d: Promise<SqlDriver>) => {
      const driver = await d;
      owned.push(driver);
      return driver;
    };
    try {
      const driver = givenDriver ?? (await track(openDriver(options.database)));
      const owner =
        givenOwner ??
        (options.migrationDatabase ? await track(openDriver(options.migrationDatabase)) : undefined);
      const migrator = owner ?? (migrate === false ? undefined : driver);
      if (migrator) {
        await runMigrations(migrator, migrations, { ...names, runtimeRole: options.runtimeRole });
        await ensureIndexSettings(migrator, options.schema, wanted, settingsOptions);
      }
      if (migrator !== driver) {
        await verifyReady(driver, names, migrations.at(-1)!.version, wanted, settingsOptions);
      }
      return new KnowledgeStore(
        driver,
        embedder,
        options,
        owner ?? (migrate === false ? null : driver),
        owned,
      );
    } catch (error) {
      await Promise.allSettled(owned.map((d) => d.close()));
      throw error;
    }
  }

  get schema(): string {
    return this.names.schema;
  }

  /**
   * Runs raw SQL for one tenant under RLS as the app role (for tools and tests). The transaction is
   * rolled back if `fn` throws.
   */
  withTenant<T>(ctx: TenantContext, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return withTenant(this.driver, this.names, ctx, fn);
  }

  // ---- tenants -------------------------------------------------------------------------------------------

  /** Registers the context's tenant (idempotent). Runs under RLS: a context can only create itself. */
  async ensureTenant(ctx: TenantContext, info: { name?: string; metadata?: Record<string, unknown> } = {}) {
    await withTenant(
      this.driver,
      this.names,
      ctx,
      (tx) =>
        tx.query(
          `INSERT INTO ${this.schema}.tenants (id, name, metadata) VALUES ($1, $2, $3::jsonb) ON CONFLICT (id) DO NOTHING`,
          [ctx.tenantId, info.name ?? null, JSON.stringify(info.metadata ?? {})],
        ),
      { requireTenant: false },
    );
  }

  /** Deletes the tenant and, by cascade, all of its documents, chunks and audit rows. */
  async deleteTenant(ctx: TenantContext): Promise<void> {
    await this.withTenant(ctx, (tx) =>
      tx.query(`DELETE FROM ${this.schema}.tenants WHERE id = $1`, [ctx.tenantId]),
    );
  }

  // ---- documents -----------------------------------------------------------------------------------------

  /**
   * Stores a document with its chunks atomically. Same source id + same content → unchanged; same source id
   * + new content → chunks replaced in one transaction (readers see old or new, never a mix); no source id →
   * deduplicated by content hash within the tenant.
   */
  async putDocument(
    ctx: TenantContext,
    input: PutDocumentInput,
    options: PutOptions = {},
  ): Promise<PutDocumentResult> {
    const [result] = await this.putDocuments(ctx, [input], options);
    return result!;
  }

  /**
   * Stores several documents in one transaction (all or nothing), with their chunks and postings written by
   * set-based statements: the fast path for bulk loads. Semantics per document as in `putDocument`.
   */
  async putDocuments(
    ctx: TenantContext,
    inputs: readonly PutDocumentInput[],
    options: PutOptions = {},
  ): Promise<PutDocumentResult[]> {
    const docs = inputs.map((input) => {
      const doc = parsePutDocument(input);
      return { doc, hash: doc.contentHash ?? contentHashOf(doc.text) };
    });
    const seen = new Map<string, number>();
    docs.forEach(({ doc, hash }, i) => {
      const key = doc.sourceId ? JSON.stringify([doc.source, doc.sourceId]) : hash;
      const first = seen.get(key);
      if (first !== undefined) {
        throw new ValidationError(
          `Invalid document batch: items ${first} and ${i} are the same document (same source id or content).`,
          { details: [{ path: `${i}`, message: `duplicates item ${first}` }] },
        );
      }
      seen.set(key, i);
    });
    // Cheap check first so unchanged re-ingests skip embedding entirely.
    const before = await this.withTenant(ctx, (tx) => this.findExisting(tx, docs));
    const vectors = await Promise.all(
      docs.map((d, i) =>
        !options.force && before[i]?.content_hash === d.hash ? null : this.vectorsFor(d.doc),
      ),
    );
    return this.withTenant(ctx, async (tx) => {
      // Serialise writers of the same logical documents so concurrent puts cannot duplicate them; keys are
      // locked in sorted order so two batches can never deadlock on each other.
      const keys = docs.map(({ doc, hash }) =>
        JSON.stringify(doc.sourceId ? [ctx.tenantId, doc.source, doc.sourceId] : [ctx.tenantId, hash]),
      );
      await tx.query(
        "SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM (SELECT DISTINCT unnest($1::text[]) AS k ORDER BY 1) s",
        [keys],
      );
      const existing = await this.findExisting(tx, docs);
      const results: PutDocumentResult[] = [];
      const pending: Array<{ documentId: string; index: number }> = [];
      const inserts: number[] = [];
      for (const [i, { doc, hash }] of docs.entries()) {
        const current = existing[i];
        if (current && current.content_hash === hash && !options.force) {
          results.push({ document: toDocumentRecord(current), outcome: "unchanged" });
          continue;
        }
        results.push({
          document: null as unknown as DocumentRecord,
          outcome: current ? "replaced" : "created",
        });
        if (current) {
          pending.push({
            documentId: await this.replaceDocumentRow(tx, ctx, current.id, doc, hash),
            index: i,
          });
        } else {
          inserts.push(i);
        }
      }
      // New documents in one set-based INSERT (one round trip per batch, not per document).
      const insertedIds = await this.insertDocumentRows(
        tx,
        ctx,
        inserts.map((i) => docs[i]!),
      );
      for (const [k, i] of inserts.entries()) pending.push({ documentId: insertedIds[k]!, index: i });
      pending.sort((x, y) => x.index - y.index);
      const embeddingsFor = async (i: number) => vectors[i] ?? (await this.vectorsFor(docs[i]!.doc));
      const chunkRows = [];
      for (const p of pending) {
        const vs = await embeddingsFor(p.index);
        for (const [k, chunk] of docs[p.index]!.doc.chunks.entries()) {
          chunkRows.push({ documentId: p.documentId, chunkIndex: k, chunk, vector: vs[k] ?? null });
        }
      }
      const lengths = await insertChunks(tx, this.schema, chunkRows);
      if (pending.length) {
        const rows = await tx.query<DocumentRow>(
          `UPDATE ${this.schema}.documents d SET chunk_count = u.n, token_count = u.tokens
           FROM unnest($1::uuid[], $2::int[], $3::int[]) AS u(id, n, tokens)
           WHERE d.id = u.id RETURNING ${documentColumns.replace(/(\w+)/g, "d.$1")}`,
          [
            pending.map((p) => p.documentId),
            pending.map((p) => docs[p.index]!.doc.chunks.length),
            pending.map((p) => lengths.get(p.documentId) ?? 0),
          ],
        );
        const byId = new Map(rows.map((r) => [r.id, toDocumentRecord(r)]));
        let k = 0;
        for (const r of results)
          if (r.outcome !== "unchanged") r.document = byId.get(pending[k++]!.documentId)!;
      }
      await options.beforeCommit?.(tx, results);
      return results;
    });
  }

  /**
   * The stored document that `input` would leave unchanged (same source id or, without one, same content),
   * or null. Lets a pipeline skip embedding for re-ingests of identical content.
   */
  async findUnchanged(
    ctx: TenantContext,
    input: Pick<PutDocumentInput, "text" | "source" | "sourceId" | "contentHash">,
  ): Promise<DocumentRecord | null> {
    const doc = parsePutDocument({ ...input, chunks: [] });
    const hash = doc.contentHash ?? contentHashOf(doc.text);
    const [row] = await this.withTenant(ctx, (tx) => this.findExisting(tx, [{ doc, hash }]));
    return row && row.content_hash === hash ? toDocumentRecord(row) : null;
  }

  private async replaceDocumentRow(
    tx: Queryable,
    ctx: TenantContext,
    id: string,
    doc: ParsedPutDocument,
    hash: string,
  ) {
    await tx.query(`DELETE FROM ${this.schema}.chunks WHERE document_id = $1`, [id]);
    await tx.query(
      `UPDATE ${this.schema}.documents SET title = $2, source_url = $3, mime_type = $4, content_hash = $5,
         text = $6, metadata = $7::jsonb, status = 'ready', uploaded_by = $8, updated_at = now()
       WHERE id = $1`,
      [
        id,
        doc.title ?? null,
        doc.sourceUrl ?? null,
        doc.mimeType ?? null,
        hash,
        doc.text,
        JSON.stringify(doc.metadata),
        ctx.userId,
      ],
    );
    return id;
  }

  /** Inserts documents with one statement; returns their ids in input order. */
  private async insertDocumentRows(
    tx: Queryable,
    ctx: TenantContext,
    docs: ReadonlyArray<{ doc: ParsedPutDocument; hash: string }>,
  ): Promise<string[]> {
    if (docs.length === 0) return [];
    const rows = await tx.query<{ id: string; ord: string | number }>(
      `WITH input AS (
         SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           WITH ORDINALITY AS t(source, source_id, source_url, title, mime_type, content_hash, text, metadata, ord)
       ), ins AS (
         INSERT INTO ${this.schema}.documents (tenant_id, source, source_id, source_url, title, mime_type,
           content_hash, status, text, metadata, uploaded_by)
         SELECT ${this.schema}.current_tenant(), source, source_id, source_url, title, mime_type, content_hash, 'ready',
           text, metadata::jsonb, $1
         FROM input ORDER BY ord
         RETURNING id, source, source_id, content_hash
       )
       -- RETURNING cannot see the input's ordinality: match rows back by their (unique within a batch) key.
       SELECT ins.id, input.ord FROM ins JOIN input
         ON ins.source = input.source AND ins.content_hash = input.content_hash
        AND ins.source_id IS NOT DISTINCT FROM input.source_id
       ORDER BY input.ord`,
      [
        ctx.userId,
        docs.map((d) => d.doc.source),
        docs.map((d) => d.doc.sourceId ?? null),
        docs.map((d) => d.doc.sourceUrl ?? null),
        docs.map((d) => d.doc.title ?? null),
        docs.map((d) => d.doc.mimeType ?? null),
        docs.map((d) => d.hash),
        docs.map((d) => d.doc.text),
        docs.map((d) => JSON.stringify(d.doc.metadata)),
      ],
    );
    if (rows.length !== docs.length) {
      throw new RagKitError("database_error", `Inserted ${rows.length} of ${docs.length} documents.`);
    }
    return rows.map((r) => r.id);
  }

  async getDocument(ctx: TenantContext, id: string): Promise<DocumentRecord> {
    const row = await this.withTenant(ctx, (tx) => this.selectDocument(tx, id));
    return toDocumentRecord(row);
  }

  /** The extracted text that chunk offsets point into (for citation previews). */
  async getDocumentText(ctx: TenantContext, id: string): Promise<{ document: DocumentRecord; text: string }> {
    return this.withTenant(ctx, async (tx) => {
      const row = await this.selectDocument(tx, id);
      const text = await tx.query<{ text: string }>(
        `SELECT text FROM ${this.schema}.documents WHERE id = $1`,
        [id],
      );
      return { document: toDocumentRecord(row), text: text[0]?.text ?? "" };
    });
  }

  async listChunks(ctx: TenantContext, documentId: string): Promise<ChunkRecord[]> {
    return this.withTenant(ctx, async (tx) => {
      await this.selectDocument(tx, documentId);
      const rows = await tx.query<ResultRow>(
        `SELECT id AS chunk_id, document_id, text, chunk_index, start_offset, end_offset, page_number, section_title, metadata
         FROM ${this.schema}.chunks WHERE document_id = $1 ORDER BY chunk_index`,
        [documentId],
      );
      return rows.map((r) => ({
        id: r.chunk_id,
        documentId: r.document_id,
        chunkIndex: r.chunk_index,
        text: r.text,
        start: r.start_offset,
        end: r.end_offset,
        pageNumber: r.page_number,
        sectionTitle: r.section_title,
        metadata: parseJson(r.metadata),
      }));
    });
  }

  async listDocuments(ctx: TenantContext, options: ListDocumentsOptions = {}): Promise<DocumentPage> {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new ValidationError("Invalid list options: limit must be an integer in 1..500", {
        details: [{ path: "limit", message: "must be an integer in 1..500" }],
      });
    }
    if (options.status !== undefined && !documentStatusSchema.safeParse(options.status).success) {
      throw new ValidationError(`Invalid list options: unknown status "${options.status}"`);
    }
    const cursor = options.cursor ? decodeDocumentCursor(options.cursor) : null;
    return this.withTenant(ctx, async (tx) => {
      // The cursor carries created_at as Postgres text: a JS Date would drop the microseconds and skip rows.
      const rows = await tx.query<DocumentRow & { created_at_text: string }>(
        `SELECT ${documentColumns}, created_at::text AS created_at_text FROM ${this.schema}.documents
         WHERE ($1::text IS NULL OR status = $1)
           AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
         ORDER BY created_at DESC, id DESC LIMIT $4`,
        [options.status ?? null, cursor?.createdAt ?? null, cursor?.id ?? null, limit + 1],
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        documents: page.map(toDocumentRecord),
        nextCursor: rows.length > limit && last ? encodeDocumentCursor(last.created_at_text, last.id) : null,
      };
    });
  }

  /** Deletes a document and (by cascade, in the same transaction) its chunks and postings. */
  async deleteDocument(ctx: TenantContext, id: string): Promise<void> {
    await this.withTenant(ctx, async (tx) => {
      await this.selectDocument(tx, id);
      await tx.query(`DELETE FROM ${this.schema}.documents WHERE id = $1`, [id]);
    });
  }

  // ---- search --------------------------------------------------------------------------------------------

  async search(ctx: TenantContext, input: SearchInput): Promise<SearchResult[]> {
    const [results] = await this.searchMany(ctx, [input]);
    return results!;
  }

  /**
   * Several searches for one tenant in one transaction: one round trip to enter the tenant (with pgvector's
   * scan settings) instead of one per search, and one embedding call for all the queries that need a vector.
   * Results are in input order. `signal` is checked before each search: once it is aborted no further search
   * starts and the call rejects with the signal's reason.
   */
  async searchMany(
    ctx: TenantContext,
    inputs: readonly SearchInput[],
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<SearchResult[][]> {
    const parsed = inputs.map((input) => {
      const result = searchInputSchema.safeParse(input);
      if (!result.success) throw validationErrorFromZod("search request", result.error.issues);
      return result.data;
    });
    options.signal?.throwIfAborted();
    const vectors = await this.queryVectors(parsed);
    const depths = parsed.map(searchDepth);
    const denseDepth = Math.max(0, ...parsed.map((q, i) => (vectors[i] ? depths[i]! : 0)));
    const settings = denseDepth > 0 ? denseScanSettings(denseDepth) : undefined;
    return withTenant(
      this.driver,
      this.names,
      ctx,
      async (tx) => {
        const all: SearchResult[][] = [];
        for (const [i, q] of parsed.entries()) {
          options.signal?.throwIfAborted();
          all.push(await this.searchIn(tx, q, vectors[i] ?? null, depths[i]!));
        }
        return all;
      },
      { settings },
    );
  }

  /** One search inside a tenant transaction that carries the dense scan settings. */
  private async searchIn(
    tx: Queryable,
    q: ParsedSearchInput,
    vector: number[] | null,
    depth: number,
  ): Promise<SearchResult[]> {
    const dense = vector ? await denseSearch(tx, this.schema, this.embedder.dimension, vector, q, depth) : [];
    const lexical =
      q.mode !== "dense" ? await lexicalSearch(tx, this.schema, this.options.bm25, q, depth) : [];
    if (q.mode === "dense") {
      return dense.map((r, i) =>
        toResult(r, r.similarity, { dense: { similarity: r.similarity, rank: i + 1 } }),
      );
    }
    if (q.mode === "lexical") {
      return lexical.map((r, i) => toResult(r, r.bm25, { lexical: lexicalScore(r, i + 1) }));
    }
    const weights = { ...this.hybridDefaults().weights, ...q.weights };
    const fused =
      q.fusion === "rrf"
        ? rrfHybrid(dense, lexical, weights, q.rrfK)
        : scoreFusion<LexicalRow | DenseRow>(
            {
              items: lexical,
              score: (r) => normalizedBm25(r as LexicalRow),
              weight: weights.lexical,
              truncated: lexical.length >= depth,
            },
            {
              items: dense,
              score: (r) => (r as DenseRow).similarity,
              weight: weights.dense,
              truncated: dense.length >= depth,
            },
            (r) => r.chunk_id,
            { gate: q.agreementGate ?? this.hybridDefaults().agreementGate },
          ).items;
    return fused.slice(0, q.topK).map((f) => {
      const d = f.dense as { item: DenseRow; rank: number } | undefined;
      const l = f.lexical as { item: LexicalRow; rank: number } | undefined;
      const row = (d?.item ?? l?.item)!;
      return toResult(row, f.score, {
        ...(d ? { dense: { similarity: d.item.similarity, rank: d.rank } } : {}),
        ...(l ? { lexical: lexicalScore(l.item, l.rank) } : {}),
        fused: f.score,
      });
    });
  }

  /**
   * Bulk-load mode: drops the HNSW index while `fn` runs and rebuilds it once afterwards. Maintaining HNSW
   * row by row is several times slower than building it in one pass (see `npm run bench:ingest`).
   * Searches stay correct meanwhile (exact scans), only slower; both the drop and the build are CONCURRENTLY, so
   * other connections keep searching and writing throughout. Runs as the owner: an operator action.
   */
  async withDeferredVectorIndex<T>(fn: () => Promise<T>): Promise<T> {
    const owner = this.owner;
    if (!owner) {
      throw new ConfigError(
        "withDeferredVectorIndex needs the owner connection: open the store with migrationDatabase.",
      );
    }
    await dropVectorIndex(owner, this.schema);
    try {
      return await fn();
    } finally {
      await buildVectorIndex(owner, this.schema, this.embedder.dimension);
    }
  }

  /**
   * Lets the SQL tool read one of your tenant-scoped tables (or a view over them): creates a `security_invoker`
   * view in `<schema>_data` exposing only the listed columns, a read-only-role policy on `tenant_id` and the
   * column grants it needs (see docs/sql-tool.md). Re-registering a name replaces it. An operator action: it
   * runs DDL on the owner connection.
   */
  /**
   * @internal The connection for maintenance the runtime login may not do (ANALYZE of the SQL tool's base
   * tables, which the cost bounds' row estimates depend on): the owner's when the store has one.
   */
  get maintenanceDriver(): SqlDriver {
    return this.owner ?? this.driver;
  }

  async registerDataset(spec: DatasetSpecInput): Promise<Dataset> {
    if (!this.owner) throw needsOwner("registerDataset");
    return registerDataset(this.owner, this.names, spec);
  }

  /** Drops a dataset's view and revokes the grants no other dataset needs. NotFoundError if unknown. */
  async removeDataset(name: string): Promise<void> {
    if (!this.owner) throw needsOwner("removeDataset");
    await removeDataset(this.owner, this.names, name);
  }

  /** The registered datasets (names, columns with types and roles, relationships), no tenant data. */
  listRegisteredDatasets(): Promise<Dataset[]> {
    return loadDatasets(this.driver, this.names);
  }

  /** The registered datasets as `ctx`'s tenant sees them: with sample values from its own rows (under RLS). */
  describeDatasets(ctx: TenantContext, options: DescribeOptions = {}): Promise<DescribedDataset[]> {
    return describeDatasets(this, ctx, options);
  }

  /** Closes the connections this store opened (drivers passed in by the caller stay open). */
  async close(): Promise<void> {
    await Promise.all(this.owned.map((d) => d.close()));
  }

  // ---- internals -----------------------------------------------------------------------------------------

  /** Equal weights; the agreement gate on for the offline hashing embedder only (see search/fusion.ts). */
  private hybridDefaults(): { weights: { dense: number; lexical: number }; agreementGate: boolean } {
    return {
      weights: this.options.hybridWeights ?? { dense: 1, lexical: 1 },
      agreementGate: this.options.hybridAgreementGate ?? this.embedder.name.startsWith("ragkit-hash"),
    };
  }

  /** Each search's query vector (null for lexical searches): given ones validated, the rest in one embed call. */
  private async queryVectors(parsed: readonly ParsedSearchInput[]): Promise<Array<number[] | null>> {
    const dense = parsed.flatMap((q, i) => (q.mode !== "lexical" ? [i] : []));
    const embedded = await this.embedWhereMissing(
      dense.map((i) => ({ text: parsed[i]!.query, vector: parsed[i]!.queryVector })),
      "query",
      () => "queryVector",
    );
    const vectors: Array<number[] | null> = parsed.map(() => null);
    dense.forEach((searchIndex, k) => {
      vectors[searchIndex] = embedded[k]!;
    });
    return vectors;
  }

  private vectorsFor(doc: ParsedPutDocument): Promise<number[][]> {
    return this.embedWhereMissing(
      doc.chunks.map((c) => ({ text: c.text, vector: c.embedding })),
      "document",
      (i) => `chunks.${i}.embedding`,
    );
  }

  /**
   * Each item's given vector, or the embedder's for its text (all missing ones in one embed call), every one
   * validated against the store's dimension (`path(i)` names it in the error).
   */
  private async embedWhereMissing(
    items: ReadonlyArray<{ text: string; vector: number[] | undefined }>,
    kind: "query" | "document",
    path: (i: number) => string,
  ): Promise<number[][]> {
    const missing = items.flatMap((item, i) => (item.vector ? [] : [i]));
    const computed = missing.length
      ? await this.embedder.embed(
          missing.map((i) => items[i]!.text),
          { kind },
        )
      : [];
    const vectors = items.map((item) => item.vector);
    missing.forEach((itemIndex, k) => {
      vectors[itemIndex] = computed[k];
    });
    for (const [i, v] of vectors.entries()) validateVector(v, this.embedder.dimension, path(i));
    return vectors as number[][];
  }

  /** Finds, for each input, the stored document it would update or duplicate (two queries for any batch). */
  private async findExisting(
    tx: Queryable,
    docs: ReadonlyArray<{ doc: ParsedPutDocument; hash: string }>,
  ): Promise<Array<DocumentRow | null>> {
    const keyed = docs.filter((d) => d.doc.sourceId);
    const hashed = docs.filter((d) => !d.doc.sourceId);
    const bySource = keyed.length
      ? await tx.query<DocumentRow>(
          `SELECT ${documentColumns} FROM ${this.schema}.documents
           WHERE tenant_id = ${this.schema}.current_tenant()
             AND (source, source_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
          [keyed.map((d) => d.doc.source), keyed.map((d) => d.doc.sourceId)],
        )
      : [];
    const byHash = hashed.length
      ? await tx.query<DocumentRow>(
          `SELECT DISTINCT ON (content_hash) ${documentColumns} FROM ${this.schema}.documents
           WHERE tenant_id = ${this.schema}.current_tenant() AND source_id IS NULL AND content_hash = ANY($1::text[])
           ORDER BY content_hash, created_at`,
          [hashed.map((d) => d.hash)],
        )
      : [];
    const sourceMap = new Map(bySource.map((r) => [JSON.stringify([r.source, r.source_id]), r]));
    const hashMap = new Map(byHash.map((r) => [r.content_hash, r]));
    return docs.map(({ doc, hash }) =>
      doc.sourceId
        ? (sourceMap.get(JSON.stringify([doc.source, doc.sourceId])) ?? null)
        : (hashMap.get(hash) ?? null),
    );
  }

  /** A malformed id, another tenant's id and a deleted id all look the same: not found. */
  private async selectDocument(tx: Queryable, id: string): Promise<DocumentRow> {
    if (typeof id !== "string" || !UUID.test(id)) throw new NotFoundError("Document not found.");
    const rows = await tx.query<DocumentRow>(
      `SELECT ${documentColumns} FROM ${this.schema}.documents WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError("Document not found.");
    return rows[0];
  }
}

/** Candidates fetched per channel: a hybrid search fuses deeper lists than it returns. */
function searchDepth(q: ParsedSearchInput): number {
  return q.mode === "hybrid" ? Math.min(1000, Math.max(q.topK * 2, 50)) : q.topK;
}

function validateVector(vector: readonly number[] | undefined, dimension: number, path: string): void {
  if (!vector)
    throw new ValidationError(`Missing vector at ${path}.`, { details: [{ path, message: "missing" }] });
  if (vector.length !== dimension) {
    throw new ValidationError(
      `Invalid vector at ${path}: expected ${dimension} dimensions, got ${vector.length}.`,
      {
        details: [{ path, message: `expected ${dimension} dimensions, got ${vector.length}` }],
      },
    );
  }
  for (const x of vector) {
    if (!Number.isFinite(x)) {
      throw new ValidationError(`Invalid vector at ${path}: contains NaN or infinite values.`, {
        details: [{ path, message: "contains NaN or infinite values" }],
      });
    }
  }
}

function normalizedBm25(row: LexicalRow): number {
  return row.bm25_max > 0 ? row.bm25 / row.bm25_max : 0;
}

function lexicalScore(row: LexicalRow, rank: number): NonNullable<SearchResult["scores"]["lexical"]> {
  return { bm25: row.bm25, normalized: normalizedBm25(row), rank };
}

/** Hybrid by weighted RRF (`fusion: "rrf"`), in the shape score fusion returns. */
function rrfHybrid(
  dense: readonly DenseRow[],
  lexical: readonly LexicalRow[],
  weights: { dense: number; lexical: number },
  k: number,
) {
  const denseById = new Map(dense.map((r, i) => [r.chunk_id, { item: r, rank: i + 1 }]));
  const lexicalById = new Map(lexical.map((r, i) => [r.chunk_id, { item: r, rank: i + 1 }]));
  return reciprocalRankFusion<ResultRow>(
    [
      { weight: weights.dense, items: dense },
      { weight: weights.lexical, items: lexical },
    ],
    (r) => r.chunk_id,
    k,
  ).map((f) => ({
    key: f.key,
    score: f.score,
    dense: denseById.get(f.key),
    lexical: lexicalById.get(f.key),
  }));
}

function toResult(row: ResultRow, score: number, scores: SearchResult["scores"]): SearchResult {
  return {
    chunkId: row.chunk_id,
    documentId: row.document_id,
    documentTitle: row.document_title,
    source: row.source,
    sourceId: row.source_id,
    sourceUrl: row.source_url,
    text: row.text,
    chunkIndex: row.chunk_index,
    start: row.start_offset,
    end: row.end_offset,
    pageNumber: row.page_number,
    sectionTitle: row.section_title,
    metadata: parseJson(row.metadata),
    score,
    scores,
  };
}

/**
 * `@ragkit/core/store`: the tenant-isolated knowledge store, its drivers, embedders and text analysis, and
 * nothing that parses documents or runs the agent. A host that only searches imports this entry and never loads
 * LangChain, unpdf or mammoth (test/entries/entries.test.ts traces it).
 */
export * from "../analysis/index.js";
export type { Queryable, SqlDriver } from "../db/driver.js";
export type { PgDriverOptions } from "../db/pg.js";
export { createPgDriver } from "../db/pg.js";
export type { PGliteDriverOptions } from "../db/pglite.js";
export { createPGliteDriver } from "../db/pglite.js";
export * from "../embeddings/index.js";
export * from "../errors/index.js";
export * from "../limits/index.js";
export { migrations } from "../migrations/index.js";
export { reciprocalRankFusion } from "../search/fusion.js";
export type { SearchInput, SearchResult } from "../search/types.js";
export type { AuditEntryInput, AuditRecord } from "../store/audit.js";
export type {
  ChunkInput,
  DocumentRecord,
  DocumentStatus,
  PutDocumentInput,
  PutDocumentResult,
} from "../store/documents.js";
export { contentHashOf } from "../store/documents.js";
export type { ChunkRecord, DocumentPage, ListDocumentsOptions } from "../store/knowledge-store.js";
export { KnowledgeStore } from "../store/knowledge-store.js";
export { DataDirectoryError, type DataDirectoryProblem } from "../store/open-driver.js";
export type { StoreOptionsInput } from "../store/options.js";
export type { TenantContext, VerifiedIdentity } from "../tenant/context.js";
export { assertTenantContext, createTenantContext, tenantIdSchema } from "../tenant/context.js";

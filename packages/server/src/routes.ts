import type { SearchResult as StoreSearchResult } from "@ragkit/core";
import type { SearchResult } from "@ragkit/protocol";
import { aguiRoutes } from "./agui/routes.js";
import { auditRoutes } from "./audit/routes.js";
import { chatRoutes } from "./chat/routes.js";
import { connectorRoutes } from "./connectors/routes.js";
import { datasetRoutes } from "./datasets/routes.js";
import { documentRoutes } from "./documents/routes.js";
import { toDocumentSummary } from "./documents/summary.js";
import { HttpError } from "./http.js";
import { jobRoutes } from "./jobs/routes.js";
import { openApiRoute } from "./openapi/route.js";
import type { Route } from "./router.js";
import { threadRoutes } from "./threads/routes.js";

const READY_TIMEOUT_MS = 5_000;

export function toSearchResult(r: StoreSearchResult): SearchResult {
  return {
    chunkId: r.chunkId,
    documentId: r.documentId,
    documentTitle: r.documentTitle,
    source: r.source,
    sourceUrl: r.sourceUrl,
    text: r.text,
    chunkIndex: r.chunkIndex,
    start: r.start,
    end: r.end,
    pageNumber: r.pageNumber,
    sectionTitle: r.sectionTitle,
    metadata: r.metadata,
    score: r.score,
    scores: r.scores,
  };
}

const health: Route<"health"> = {
  name: "health",
  handle: async ({ reply }) => reply({ status: "ok" }),
};

const ready: Route<"ready"> = {
  name: "ready",
  async handle({ store, reply }) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const s = await store();
      await Promise.race([
        s.driver.query("SELECT 1 AS ok"),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`database did not answer within ${READY_TIMEOUT_MS} ms`)),
            READY_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      throw new HttpError("service_unavailable", "The database is not reachable.", { cause: error });
    } finally {
      clearTimeout(timer);
    }
    return reply({ status: "ready" });
  },
};

const search: Route<"search"> = {
  name: "search",
  async handle({ body, tenant, requestId, reply }) {
    const q = await body();
    const { store, ctx } = await tenant();
    const results = await store.search(ctx, {
      query: q.query,
      mode: q.mode,
      topK: q.topK,
      ...(q.threshold === undefined ? {} : { threshold: q.threshold }),
      ...(q.filter === undefined ? {} : { filter: q.filter }),
      ...(q.documentIds === undefined ? {} : { documentIds: q.documentIds }),
    });
    // The query text is deliberately not stored: audit rows outlive documents and may be widely readable.
    await store.audit.record(ctx, {
      action: "search",
      resourceType: "search",
      requestId,
      details: { mode: q.mode, topK: q.topK, queryLength: q.query.length, resultCount: results.length },
    });
    return reply({ results: results.map(toSearchResult) });
  },
};

const listDocuments: Route<"listDocuments"> = {
  name: "listDocuments",
  async handle({ query, tenant, requestId, reply }) {
    const q = query();
    const { store, ctx } = await tenant();
    const page = await store.listDocuments(ctx, {
      limit: q.limit,
      cursor: q.cursor ?? null,
      ...(q.status === undefined ? {} : { status: q.status }),
    });
    await store.audit.record(ctx, {
      action: "document.list",
      resourceType: "document",
      requestId,
      details: {
        count: page.documents.length,
        ...(q.status ? { status: q.status } : {}),
      },
    });
    return reply({
      documents: page.documents.map(toDocumentSummary),
      nextCursor: page.nextCursor,
    });
  },
};

const notFoundDocument = () => new HttpError("not_found", "Document not found.");

const getDocument: Route<"getDocument"> = {
  name: "getDocument",
  async handle({ params, tenant, requestId, reply }) {
    const id = params.id ?? "";
    const { store, ctx } = await tenant();
    // Malformed, missing and other tenants' ids all get the same answer (the store checks the id shape too).
    if (id.length > 64) throw notFoundDocument();
    try {
      const document = await store.getDocument(ctx, id);
      await store.audit.record(ctx, {
        action: "document.read",
        resourceType: "document",
        resourceId: id,
        requestId,
      });
      return reply({ document: toDocumentSummary(document) });
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === "not_found") throw notFoundDocument();
      throw error;
    }
  },
};

/** The route table. Later versions add ingestion, chat (AG-UI) and admin routes here. */
export const defaultRoutes: readonly Route[] = [
  ...chatRoutes,
  ...threadRoutes,
  ...aguiRoutes,
  health,
  ready,
  search,
  listDocuments,
  getDocument,
  ...documentRoutes,
  ...jobRoutes,
  ...auditRoutes,
  ...datasetRoutes,
  ...connectorRoutes,
  openApiRoute(() => defaultRoutes),
];

export { toDocumentSummary };

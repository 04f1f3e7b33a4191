import { type AcceptedUpload, pathTo } from "@ragkit/protocol";
import { loadCore } from "../core.js";
import { HttpError } from "../http.js";
import { notFoundError, orNotFound, uuidParam } from "../ids.js";
import { toJobSummary } from "../jobs/summary.js";
import type { Route } from "../router.js";
import { toDocumentSummary } from "./summary.js";
import { readUpload, type UploadedFile } from "./upload.js";

const notFound = notFoundError("Document");

/** Refuses files no loader can read (415) or whose content contradicts their name (400) before queueing any. */
async function checkTypes(files: readonly UploadedFile[]): Promise<void> {
  const core = await loadCore();
  for (const [i, file] of files.entries()) {
    try {
      core.detectDocumentType(
        {
          data: file.data,
          ...(file.filename ? { filename: file.filename } : {}),
          ...(file.mimeType ? { mimeType: file.mimeType } : {}),
        },
        { maxDecompressedBytes: core.defaultMaxDecompressedBytes(file.data.byteLength) },
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = error instanceof Error ? error.message : "unreadable file";
      const details = [{ path: `files.${i}${file.filename ? ` (${file.filename})` : ""}`, message }];
      if (code === "unsupported_type") throw new HttpError("unsupported_media_type", message, { details });
      if (code === "invalid_input" || code === "too_large")
        throw new HttpError("invalid_input", message, { details });
      throw error;
    }
  }
}

const upload: Route<"uploadDocuments"> = {
  name: "uploadDocuments",
  async handle(ctx) {
    const files = await readUpload(ctx.request, ctx.limits, () => ctx.body());
    await checkTypes(files);
    const [{ store, ctx: tenant }, queue] = await Promise.all([ctx.tenant(), ctx.queue()]);
    const accepted: AcceptedUpload[] = [];
    for (const file of files) {
      const job = await queue.enqueue(tenant, {
        data: file.data,
        source: "upload",
        ...(file.filename ? { filename: file.filename } : {}),
        ...(file.mimeType ? { mimeType: file.mimeType } : {}),
        ...(file.title ? { title: file.title } : {}),
        ...(file.sourceId ? { sourceId: file.sourceId } : {}),
        ...(file.sourceUrl ? { sourceUrl: file.sourceUrl } : {}),
        ...(file.metadata ? { metadata: file.metadata } : {}),
      });
      accepted.push({ jobId: job.id, filename: file.filename, sizeBytes: file.data.byteLength });
      await store.audit.record(tenant, {
        action: "document.upload",
        resourceType: "job",
        resourceId: job.id,
        requestId: ctx.requestId,
        details: { filename: file.filename, sizeBytes: file.data.byteLength },
      });
    }
    const location: Record<string, string> =
      accepted.length === 1 ? { location: pathTo("getJob", { id: accepted[0]!.jobId }) } : {};
    return ctx.reply({ jobs: accepted }, location);
  },
};

const content: Route<"getDocumentContent"> = {
  name: "getDocumentContent",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const { store, ctx: tenant } = await ctx.tenant();
    const { document, text } = await orNotFound(store.getDocumentText(tenant, id), notFound);
    await store.audit.record(tenant, {
      action: "document.read",
      resourceType: "document",
      resourceId: id,
      requestId: ctx.requestId,
      details: { content: true },
    });
    return ctx.reply({ document: toDocumentSummary(document), text });
  },
};

const remove: Route<"deleteDocument"> = {
  name: "deleteDocument",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const { store, ctx: tenant } = await ctx.tenant();
    await orNotFound(store.deleteDocument(tenant, id), notFound);
    await store.audit.record(tenant, {
      action: "document.delete",
      resourceType: "document",
      resourceId: id,
      requestId: ctx.requestId,
    });
    return new Response(null, { status: 204 });
  },
};

const reindex: Route<"reindexDocument"> = {
  name: "reindexDocument",
  async handle(ctx) {
    const id = uuidParam(ctx, notFound);
    const [{ store, ctx: tenant }, queue] = await Promise.all([ctx.tenant(), ctx.queue()]);
    const job = await orNotFound(queue.enqueueReindex(tenant, id), notFound);
    await store.audit.record(tenant, {
      action: "document.reindex",
      resourceType: "document",
      resourceId: id,
      requestId: ctx.requestId,
      details: { jobId: job.id },
    });
    return ctx.reply({ job: toJobSummary(job) }, { location: pathTo("getJob", { id: job.id }) });
  },
};

export const documentRoutes: readonly Route[] = [upload, content, remove, reindex];

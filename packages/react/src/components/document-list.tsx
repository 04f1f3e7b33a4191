import type { DocumentStatus, DocumentSummary } from "@ragkit/protocol";
import { useState } from "react";
import type { RagKitClient } from "../client.js";
import { useResolvedClient } from "../context.js";
import { toClientError } from "../hooks/errors.js";
import { type UseDocumentsResult, useDocuments } from "../hooks/use-documents.js";
import { type RagKitTheme, ThemeScope } from "../styles/theme.js";

export interface DocumentListLabels {
  title: string;
  empty: string;
  loading: string;
  loadMore: string;
  remove: string;
  reindex: string;
  confirmRemove: (title: string) => string;
  status: Record<DocumentStatus, string>;
  chunks: (n: number) => string;
  retry: string;
}

export const defaultDocumentListLabels: DocumentListLabels = {
  title: "Documents",
  empty: "No documents yet.",
  loading: "Loading documents…",
  loadMore: "Load more",
  remove: "Delete",
  reindex: "Reindex",
  confirmRemove: (t) => `Delete “${t}”? This cannot be undone.`,
  status: { pending: "Pending", processing: "Processing", ready: "Ready", failed: "Failed" },
  chunks: (n) => `${n} chunk${n === 1 ? "" : "s"}`,
  retry: "Retry",
};

export interface DocumentListProps {
  client?: RagKitClient;
  /** Use your own `useDocuments()` (e.g. to reload it after uploads). */
  documents?: UseDocumentsResult;
  limit?: number;
  /** Ask before deleting (default: `window.confirm`). Return false to keep the document. */
  confirmRemove?: (doc: DocumentSummary) => boolean | Promise<boolean>;
  labels?: Partial<DocumentListLabels>;
  theme?: RagKitTheme;
}

const tone: Record<DocumentStatus, string> = {
  pending: "rk-muted",
  processing: "rk-warn",
  ready: "rk-ok",
  failed: "rk-bad",
};

/** The tenant's documents with status, chunk count, delete and reindex. */
export function DocumentList(props: DocumentListProps) {
  const client = useResolvedClient(props.client, "DocumentList");
  const own = useDocuments({
    client,
    enabled: !props.documents,
    ...(props.limit ? { limit: props.limit } : {}),
  });
  const docs = props.documents ?? own;
  const labels = { ...defaultDocumentListLabels, ...props.labels };
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const act = async (id: string, action: () => Promise<unknown>) => {
    setBusy(id);
    setActionError(null);
    try {
      await action();
    } catch (e) {
      setActionError(toClientError(e).message);
    } finally {
      setBusy(null);
    }
  };

  const confirm =
    props.confirmRemove ??
    ((doc: DocumentSummary) =>
      typeof window === "undefined" ? false : window.confirm(labels.confirmRemove(doc.title ?? doc.id)));

  return (
    <ThemeScope theme={props.theme}>
      <section className="rk-card" aria-label={labels.title} aria-busy={docs.loading}>
        <p className="rk-title">{labels.title}</p>
        {docs.error ? (
          <div role="alert" className="rk-bad">
            {docs.error.message}{" "}
            <button type="button" className="rk-btn" onClick={() => void docs.reload()}>
              {labels.retry}
            </button>
          </div>
        ) : null}
        {actionError ? (
          <p role="alert" className="rk-bad">
            {actionError}
          </p>
        ) : null}
        {docs.documents.length === 0 && !docs.loading && !docs.error ? (
          <p className="rk-muted">{labels.empty}</p>
        ) : null}
        {docs.documents.length > 0 ? (
          <table className="rk-table">
            <tbody>
              {docs.documents.map((d) => (
                <tr key={d.id} data-status={d.status}>
                  <td>
                    <strong>{d.title ?? d.id}</strong>
                    <div className="rk-muted">{labels.chunks(d.chunkCount)}</div>
                  </td>
                  <td>
                    <span className={`rk-badge ${tone[d.status]}`}>{labels.status[d.status]}</span>
                  </td>
                  <td className="rk-actions">
                    <button
                      type="button"
                      className="rk-btn"
                      disabled={busy === d.id}
                      aria-label={`${labels.reindex} ${d.title ?? d.id}`}
                      onClick={() => void act(d.id, () => docs.reindex(d.id))}
                    >
                      {labels.reindex}
                    </button>{" "}
                    <button
                      type="button"
                      className="rk-btn rk-btn-danger"
                      disabled={busy === d.id}
                      aria-label={`${labels.remove} ${d.title ?? d.id}`}
                      onClick={() =>
                        void act(d.id, async () => {
                          if (await confirm(d)) await docs.remove(d.id);
                        })
                      }
                    >
                      {labels.remove}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {docs.loading ? <p className="rk-muted">{labels.loading}</p> : null}
        {docs.hasMore && !docs.loading ? (
          <button type="button" className="rk-btn" onClick={() => void docs.loadMore()}>
            {labels.loadMore}
          </button>
        ) : null}
      </section>
    </ThemeScope>
  );
}

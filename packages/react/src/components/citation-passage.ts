import type { ChatCitation } from "@ragkit/protocol";
import type { RagKitClient } from "../client.js";

export interface CitationPassage {
  before: string;
  cited: string;
  after: string;
  sourceUrl: string | null;
  title: string | null;
}

/** Characters of context shown on each side of the cited span. */
const CONTEXT = 160;

// One fetch per document and client, shared by every marker that cites it.
const cache = new WeakMap<
  RagKitClient,
  Map<string, Promise<{ text: string; sourceUrl: string | null; title: string | null }>>
>();

function content(client: RagKitClient, documentId: string) {
  let byDoc = cache.get(client);
  if (!byDoc) {
    byDoc = new Map();
    cache.set(client, byDoc);
  }
  let pending = byDoc.get(documentId);
  if (!pending) {
    pending = client
      .getDocumentContent(documentId)
      .then((r) => ({ text: r.text, sourceUrl: r.document.sourceUrl, title: r.document.title }));
    // A failure is not cached: the next hover tries again.
    pending.catch(() => byDoc?.delete(documentId));
    byDoc.set(documentId, pending);
  }
  return pending;
}

/** Cuts the passage around `[start, end)`, snapping the context to word boundaries. */
export function passageAround(
  text: string,
  start: number,
  end: number,
): Pick<CitationPassage, "before" | "cited" | "after"> {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length));
  let from = Math.max(0, s - CONTEXT);
  let to = Math.min(text.length, e + CONTEXT);
  if (from > 0) from = text.indexOf(" ", from) + 1 || from;
  if (to < text.length) to = text.lastIndexOf(" ", to) > e ? text.lastIndexOf(" ", to) : to;
  return {
    before: `${from > 0 ? "…" : ""}${text.slice(from, s)}`,
    cited: text.slice(s, e),
    after: `${text.slice(e, to)}${to < text.length ? "…" : ""}`,
  };
}

/** The cited passage with its context, from `GET /documents/:id/content`; the citation's quote when offline. */
export async function loadPassage(
  client: RagKitClient | null,
  citation: ChatCitation,
): Promise<CitationPassage> {
  if (!client)
    return { before: "", cited: citation.quote, after: "", sourceUrl: null, title: citation.documentTitle };
  const doc = await content(client, citation.documentId);
  // Offsets are into the extracted text; if the document changed since, fall back to finding the quote.
  let { start, end } = citation;
  if (doc.text.slice(start, end) !== citation.quote && citation.quote) {
    const found = doc.text.indexOf(citation.quote);
    if (found >= 0) {
      start = found;
      end = found + citation.quote.length;
    }
  }
  return {
    ...passageAround(doc.text, start, end),
    sourceUrl: doc.sourceUrl,
    title: doc.title ?? citation.documentTitle,
  };
}

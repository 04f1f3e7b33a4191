import type { SearchResult } from "../search/types.js";
import { createTenantContext } from "../tenant/context.js";
import { openCliStore } from "./open.js";

export interface SearchCommandOptions {
  tenant: string;
  db?: string;
  mode?: "hybrid" | "dense" | "lexical";
  topK?: number;
  json?: boolean;
  out?: NodeJS.WritableStream;
}

/** `ragkit search "<query>" --tenant <id>`: ranked chunks with their citations. */
export async function searchCommand(query: string, options: SearchCommandOptions): Promise<SearchResult[]> {
  const out = options.out ?? process.stdout;
  const store = await openCliStore(options.db);
  try {
    const ctx = createTenantContext({ tenantId: options.tenant, userId: "cli", source: "cli" });
    const hits = await store.search(ctx, { query, mode: options.mode ?? "hybrid", topK: options.topK ?? 5 });
    if (options.json) {
      out.write(`${JSON.stringify(hits)}\n`);
      return hits;
    }
    if (hits.length === 0) out.write("No results.\n");
    for (const [i, h] of hits.entries()) {
      const where = [
        h.documentTitle ?? h.metadata.filename,
        h.sectionTitle,
        h.pageNumber ? `p. ${h.pageNumber}` : null,
      ]
        .filter(Boolean)
        .join(" › ");
      out.write(`[${i + 1}] ${where}  (chars ${h.start}–${h.end}, score ${h.score.toFixed(4)})\n`);
      out.write(`    source: ${h.sourceUrl ?? h.sourceId ?? h.documentId}\n`);
      const snippet = h.text.replace(/\s+/g, " ").trim();
      out.write(`    ${snippet.length > 300 ? `${snippet.slice(0, 300)}…` : snippet}\n\n`);
    }
    return hits;
  } finally {
    await store.close();
  }
}

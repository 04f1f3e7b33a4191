import type { ParsedSearchInput } from "./types.js";

/** Collects positional parameters so fragments can be composed without string-pasting values. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * WHERE fragments for metadata and document filters. Keys are bound as parameters too (`->` takes a
 * text operand), so even a key that slipped past validation could not change the SQL.
 */
export function filterClauses(input: ParsedSearchInput, params: Params, chunk = "c", doc = "d"): string[] {
  const clauses: string[] = [];
  for (const [key, value] of Object.entries(input.filter ?? {})) {
    const k = params.add(key);
    const field = `coalesce(${chunk}.metadata -> ${k}, ${doc}.metadata -> ${k})`;
    if (typeof value === "object" && value !== null && "in" in value) {
      clauses.push(`${field} = ANY(${params.add(value.in.map((v) => JSON.stringify(v)))}::jsonb[])`);
    } else {
      clauses.push(`${field} = ${params.add(JSON.stringify(value))}::jsonb`);
    }
  }
  if (input.documentIds?.length)
    clauses.push(`${chunk}.document_id = ANY(${params.add(input.documentIds)}::uuid[])`);
  return clauses;
}

export function needsDocumentJoin(input: ParsedSearchInput): boolean {
  return Object.keys(input.filter ?? {}).length > 0;
}

/** Columns every channel returns, joined from chunks `c` and documents `d`. */
export const resultColumns = `
  c.id AS chunk_id, c.document_id, d.title AS document_title, d.source, d.source_id, d.source_url, c.text,
  c.chunk_index, c.start_offset, c.end_offset, c.page_number, c.section_title, c.metadata`;

export interface ResultRow {
  chunk_id: string;
  document_id: string;
  document_title: string | null;
  source: string;
  source_id: string | null;
  source_url: string | null;
  text: string;
  chunk_index: number;
  start_offset: number;
  end_offset: number;
  page_number: number | null;
  section_title: string | null;
  metadata: Record<string, unknown> | string;
}

export function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(",")}]`;
}

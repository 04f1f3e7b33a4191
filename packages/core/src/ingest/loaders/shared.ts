import { RagKitError } from "../../errors/index.js";
import type { PageSpan, SectionSpan } from "../types.js";

/** What a format loader hands back to `loadDocument`, which adds the common metadata. */
export interface ExtractedContent {
  text: string;
  pages: PageSpan[];
  sections: SectionSpan[];
  /** A title found in the document's own metadata (PDF Info, core.xml, front matter, <title>). */
  title: string | null;
  /** Where `title` came from, recorded as `metadata.titleSource`. */
  titleSource: string | null;
  /** Format-specific metadata (author, dates, warnings, …). */
  metadata: Record<string, unknown>;
}

export interface HeadingMark {
  title: string;
  level: number;
  /** Offset of the heading's first character in the document text. */
  start: number;
}

/**
 * Turns headings (in document order) into sections: a section starts at its heading and runs until the next
 * heading of the same or a higher level (smaller number), or the end of the text. Nested sections are
 * therefore contained in their parent's span.
 */
export function sectionsFromHeadings(headings: readonly HeadingMark[], textLength: number): SectionSpan[] {
  const sections: SectionSpan[] = headings.map((h) => ({
    title: h.title,
    level: h.level,
    start: h.start,
    end: textLength,
  }));
  const open: SectionSpan[] = [];
  for (const section of sections) {
    while (open.length > 0 && open[open.length - 1]!.level >= section.level) {
      open.pop()!.end = section.start;
    }
    open.push(section);
  }
  return sections;
}

/** The first level-1 heading, else the first heading of any level. */
export function titleFromSections(sections: readonly SectionSpan[]): string | null {
  const top = sections.find((s) => s.level === 1) ?? sections[0];
  return top ? top.title : null;
}

/** Collapses runs of whitespace to one space and trims; `null` for an empty result. */
export function cleanTitle(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const cleaned = value.replace(/\s+/g, " ").trim();
  return cleaned === "" ? null : cleaned;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new RagKitError("aborted", "Document loading was aborted.", { cause: signal.reason });
  }
}

/** "12.3 MiB" style sizes for error messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(1)} GiB`;
}

/** A short, quoted description of the input for error messages. */
export function describeInput(filename: string | undefined): string {
  if (filename === undefined) return "The document";
  const shown = filename.length > 80 ? `${filename.slice(0, 77)}...` : filename;
  return `"${shown}"`;
}

/** The first line of an underlying library's error, capped, for embedding in our own messages. */
export function errorMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const firstLine = raw.split(/\r?\n/, 1)[0]!.trim();
  return firstLine.length > 200 ? `${firstLine.slice(0, 197)}...` : firstLine;
}

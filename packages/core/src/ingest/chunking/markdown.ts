/**
 * The "markdown" strategy: one chunk per heading section, sections longer than chunkSize sentence-split.
 *
 * Section boundaries come from `LoadedDocument.sections` (the loader's spans). When a document has none,
 * they come from `scanMarkdownSections`, which applies the rule of LlamaIndex's `MarkdownNodeParser`
 * (a new section at every ATX heading outside fenced code) but keeps offsets: `MarkdownNodeParser` itself
 * returns each section with its `#` markers removed and trimmed, so its output cannot be mapped back to
 * exact positions.
 */
import type { SectionSpan } from "../types.js";
import type { ChunkingEnv, ChunkSpan } from "./env.js";
import { splitRegion } from "./sentence.js";
import { skipWhitespace, trimEndIndex } from "./text.js";

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const CLOSING_SEQUENCE = /(?:^|[ \t]+)#+$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * Finds ATX headings (`#` to `######`, CommonMark rules: up to three spaces of indentation, a space or end of
 * line after the `#`s, optional closing `#`s) outside fenced code blocks (``` or ~~~). Each section runs
 * from its heading line to the next heading of the same or a higher level, so sections nest. Setext
 * headings (underlined with === or ---) are not recognised. Works with LF, CRLF and CR line endings.
 */
export function scanMarkdownSections(text: string): SectionSpan[] {
  const headings: Array<{ title: string; level: number; start: number }> = [];
  let fence: { char: string; length: number } | undefined;
  const lineBreak = /\r\n|\n|\r/g;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const match = lineBreak.exec(text);
    const lineEnd = match ? match.index : text.length;
    const line = text.slice(lineStart, lineEnd);

    const fenceMatch = FENCE.exec(line);
    if (fence !== undefined) {
      if (
        fenceMatch &&
        fenceMatch[1]![0] === fence.char &&
        fenceMatch[1]!.length >= fence.length &&
        fenceMatch[2]!.trim() === ""
      ) {
        fence = undefined;
      }
    } else if (fenceMatch && !(fenceMatch[1]![0] === "`" && fenceMatch[2]!.includes("`"))) {
      fence = { char: fenceMatch[1]![0]!, length: fenceMatch[1]!.length };
    } else {
      const heading = ATX_HEADING.exec(line);
      if (heading) {
        const title = (heading[2] ?? "").replace(CLOSING_SEQUENCE, "").trim();
        headings.push({ title, level: heading[1]!.length, start: lineStart });
      }
    }

    if (!match) break;
    lineStart = match.index + match[0].length;
  }

  return headings.map((heading, i) => {
    let end = text.length;
    for (let j = i + 1; j < headings.length; j++) {
      if (headings[j]!.level <= heading.level) {
        end = headings[j]!.start;
        break;
      }
    }
    return { title: heading.title, level: heading.level, start: heading.start, end };
  });
}

/** Chunks text by section: section boundaries are never crossed; overlap only inside long sections. */
export async function chunkMarkdown(
  env: ChunkingEnv,
  sections: readonly SectionSpan[],
): Promise<ChunkSpan[]> {
  const { text } = env;
  // Section starts (and ends, for loaders whose sections do not tile the text) are hard boundaries.
  const inside = (offset: number) => offset > 0 && offset < text.length;
  const boundaries = [
    ...new Set([0, ...sections.flatMap((s) => [s.start, s.end]).filter(inside), text.length]),
  ].sort((a, b) => a - b);

  // Regions between hard boundaries, trimmed; a region that is only a heading line (a title with no body,
  // e.g. "# Handbook" directly followed by "## Time off") is joined to the region after it when both fit,
  // so no chunk is a bare title that matches queries without answering them.
  const regions: Array<{ start: number; end: number; anchor?: number }> = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const start = skipWhitespace(text, boundaries[i]!, boundaries[i + 1]!);
    const end = trimEndIndex(text, start, boundaries[i + 1]!);
    if (start < end) regions.push({ start, end });
  }
  const sectionStarts = new Set(sections.map((s) => skipWhitespace(text, s.start, text.length)));
  const merged: Array<{ start: number; end: number; anchor?: number }> = [];
  for (let i = 0; i < regions.length; i++) {
    const region = regions[i]!;
    const next = regions[i + 1];
    const headingOnly =
      sectionStarts.has(region.start) && !text.slice(region.start, region.end).includes("\n");
    if (headingOnly && next && env.countTokens(text.slice(region.start, next.end)) <= env.chunkSize) {
      regions[i + 1] = { start: region.start, end: next.end, anchor: next.anchor ?? next.start };
      continue;
    }
    merged.push(region);
  }

  const spans: ChunkSpan[] = [];
  for (const { start, end, anchor } of merged) {
    const tokenCount = env.countTokens(text.slice(start, end));
    if (tokenCount <= env.chunkSize) {
      spans.push({
        start,
        end,
        match: "exact",
        tokenCount,
        ...(anchor === undefined ? {} : { sectionAnchor: anchor }),
      });
    } else {
      spans.push(
        ...(await splitRegion(env, start, end, { splitSize: env.chunkSize, overlap: env.chunkOverlap })),
      );
    }
  }
  return spans;
}

import type { Embedder } from "../../embeddings/types.js";
import { ValidationError } from "../../errors/index.js";
import type { ChunkDraft, LoadedDocument, PageSpan, SectionSpan } from "../types.js";
import { annotatePages, annotateSection, pageStartsWithin } from "./annotate.js";
import { type ChunkingEnv, type ChunkSpan, throwIfAborted } from "./env.js";
import { chunkMarkdown, scanMarkdownSections } from "./markdown.js";
import { type ChunkOptions, type ChunkStrategy, resolveChunkOptions } from "./options.js";
import { chunkSemantic } from "./semantic.js";
import { splitRegion } from "./sentence.js";
import { loadSplitter, type SplitterModules } from "./splitter.js";
import { hasNonWhitespace, hideDollars, restoreDollars } from "./text.js";
import { createChunkTokenizer, mapTokenizerInput, memoizedTokenCounter } from "./tokenizer.js";

/** Minimum window (UTF-16 code units) in which long texts are handed to LlamaIndex; see ChunkingEnv.windowChars. */
const MIN_WINDOW_CHARS = 32_768;

/**
 * Splits a loaded document into chunks with exact offsets: for every chunk,
 * `doc.text.slice(chunk.start, chunk.end) === chunk.text`. Chunks are in document order (starts and ends
 * strictly increasing), together cover every non-whitespace character of `doc.text`, start and end on
 * non-whitespace, have at most `chunkSize` tokens, and consecutive chunks share at most `chunkOverlap`
 * tokens. Offsets are UTF-16 code units (JS string indices). See docs/chunking.md.
 *
 * @throws ValidationError for invalid options or a document without a string `text`.
 * @throws RagKitError with code "aborted" when `options.signal` is aborted.
 */
export function chunkDocument(doc: LoadedDocument, options?: ChunkOptions): Promise<ChunkDraft[]> {
  return chunkDocumentWith(loadSplitter, doc, options);
}

/**
 * `chunkDocument` over the splitter modules `load` provides. Internal (not exported by the package): lets
 * the equivalence tests run the very same pipeline over LlamaIndex's own splitter and compare the chunks.
 */
export async function chunkDocumentWith(
  load: () => Promise<SplitterModules>,
  doc: LoadedDocument,
  options?: ChunkOptions,
): Promise<ChunkDraft[]> {
  if (typeof doc !== "object" || doc === null || typeof doc.text !== "string") {
    throw new ValidationError("Invalid document: text must be a string.", {
      details: [{ path: "text", message: "must be a string" }],
    });
  }
  const resolved = resolveChunkOptions(options, doc.kind);
  throwIfAborted(resolved.signal);
  const { text } = doc;
  if (!hasNonWhitespace(text)) return [];

  const splitter = await load();
  throwIfAborted(resolved.signal);
  const tokenizer = createChunkTokenizer(resolved.tokenizer ?? splitter.defaultTokenizer());
  const splitterText = hideDollars(text);
  const splitterTokenizer = splitterText === text ? tokenizer : mapTokenizerInput(tokenizer, restoreDollars);
  // One memo for the splitter's sizing and the limit checks when they see the same strings (no "$" hidden).
  const countTokens = memoizedTokenCounter(tokenizer);
  const env: ChunkingEnv = {
    text,
    splitter,
    tokenizer,
    countTokens,
    splitterText,
    splitterTokenizer,
    countSplitterTokens:
      splitterTokenizer === tokenizer ? countTokens : memoizedTokenCounter(splitterTokenizer),
    chunkSize: resolved.chunkSize,
    chunkOverlap: resolved.chunkOverlap,
    paragraphSeparator: adaptToLineEndings(resolved.paragraphSeparator, text),
    extraAbbreviations: resolved.extraAbbreviations,
    windowChars: Math.max(MIN_WINDOW_CHARS, resolved.chunkSize * 16),
    signal: resolved.signal,
  };

  let sections = clampSpans(doc.sections ?? [], text.length);
  let spans: ChunkSpan[];
  switch (resolved.strategy) {
    case "sentence":
      spans = await splitRegion(env, 0, text.length, {
        splitSize: resolved.chunkSize,
        overlap: resolved.chunkOverlap,
      });
      break;
    case "markdown":
      if (sections.length === 0) sections = scanMarkdownSections(text);
      spans = await chunkMarkdown(env, sections);
      break;
    case "semantic":
      spans = await chunkSemantic(env, {
        // resolveChunkOptions guarantees an embedder for this strategy
        embedder: resolved.embedder!,
        bufferSize: resolved.bufferSize,
        breakpointPercentileThreshold: resolved.breakpointPercentileThreshold,
        embedBatchSize: resolved.embedBatchSize,
      });
      break;
  }

  const pages = clampSpans(doc.pages ?? [], text.length);
  return spans.map((span, index) => toDraft(text, span, index, resolved.strategy, pages, sections));
}

/** `chunkDocument` with the "semantic" strategy. */
export function chunkDocumentSemantic(
  doc: LoadedDocument,
  embedder: Embedder,
  options?: Omit<ChunkOptions, "strategy" | "embedder">,
): Promise<ChunkDraft[]> {
  return chunkDocument(doc, { ...options, strategy: "semantic", embedder });
}

function toDraft(
  text: string,
  span: ChunkSpan,
  index: number,
  strategy: ChunkStrategy,
  pages: readonly PageSpan[],
  sections: readonly SectionSpan[],
): ChunkDraft {
  const { pageNumber, pageNumbers } = annotatePages(pages, span.start, span.end);
  const { sectionTitle, sectionPath } = annotateSection(sections, span.sectionAnchor ?? span.start);
  const metadata: Record<string, unknown> = { strategy };
  if (sections.length > 0) metadata.sectionPath = sectionPath;
  if (pages.length > 0) metadata.pageNumbers = pageNumbers;
  const pageStarts = pageStartsWithin(pages, span.start, span.end);
  if (pageStarts.length > 0) metadata.pageStarts = pageStarts;
  if (span.match !== "exact") metadata.offsetMatch = span.match;
  return {
    index,
    text: text.slice(span.start, span.end),
    start: span.start,
    end: span.end,
    pageNumber,
    sectionTitle,
    tokenCount: span.tokenCount,
    metadata,
  };
}

/** Drops spans with non-integer offsets and clamps the rest to the text, so a loader bug cannot break chunking. */
function clampSpans<T extends { start: number; end: number }>(spans: readonly T[], length: number): T[] {
  return spans
    .filter((span) => Number.isInteger(span.start) && Number.isInteger(span.end))
    .map((span) => ({ ...span, start: Math.max(0, span.start), end: Math.min(length, span.end) }))
    .filter((span) => span.start < span.end);
}

/** CRLF documents: LlamaIndex matches its paragraph separator literally, so "\n\n\n" becomes "\r\n\r\n\r\n". */
function adaptToLineEndings(separator: string, text: string): string {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  if (crlf === 0 || separator.includes("\r")) return separator;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? separator.replace(/\n/g, "\r\n") : separator;
}

import { Parser } from "htmlparser2";
import type { SectionSpan } from "../types.js";
import { cleanTitle, type ExtractedContent, type HeadingMark, sectionsFromHeadings } from "./shared.js";

/**
 * HTML → plain text with heading sections, via htmlparser2's streaming parser (no DOM is built, so memory
 * stays proportional to the output text).
 *
 * Rules (see docs/loaders.md):
 * - dropped with their content: script, style, noscript, template, svg, math, canvas, iframe, object, embed,
 *   audio, video, select, button, nav, aside, the <head> (its <title> is read as metadata), elements with
 *   `hidden`, `aria-hidden="true"`, an inline `display:none` / `visibility:hidden` style, or the landmark roles
 *   navigation / banner / contentinfo / complementary / search; <header> and <footer> unless they sit inside
 *   an <article> or <main> (there they are the article's own header, often holding its <h1>);
 * - if the page has a <main> (or role="main"), only its content is kept; otherwise, if it has <article>s,
 *   only theirs; otherwise the whole body;
 * - block elements end lines (div, li, tr, dt, dd, br, …) or paragraphs (p, h1–h6, lists, tables, pre,
 *   blockquote, sections, …: a blank line); table cells of a row are joined with " | ";
 * - entities are decoded; whitespace runs (including &nbsp;) collapse to one space, except inside <pre>.
 */

const DROP_ALWAYS = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "svg",
  "math",
  "canvas",
  "iframe",
  "object",
  "embed",
  "audio",
  "video",
  "select",
  "button",
  "nav",
  "aside",
  "head",
]);
const DROP_OUTSIDE_CONTENT = new Set(["header", "footer"]);
const DROP_ROLES = new Set(["navigation", "banner", "contentinfo", "complementary", "search"]);

/** Elements that end a paragraph: a blank line before and after. */
const PARAGRAPH_BLOCKS = new Set([
  "p",
  "pre",
  "blockquote",
  "table",
  "ul",
  "ol",
  "dl",
  "figure",
  "section",
  "article",
  "main",
  "header",
  "footer",
  "hr",
  "address",
  "details",
  "fieldset",
  "form",
  "hgroup",
  "body",
]);
/** Elements that end a line. */
const LINE_BLOCKS = new Set([
  "div",
  "li",
  "tr",
  "dt",
  "dd",
  "caption",
  "figcaption",
  "summary",
  "legend",
  "option",
  "center",
]);
const LIST_CONTAINERS = new Set(["ul", "ol", "dl", "menu"]);
const HEADING_LEVEL: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
const WHITESPACE = /[\t\n\f\r \u00a0]+/g;

/**
 * Accumulates output text. Separators (space, newline, blank line, cell separator) are *pending* until the
 * next real text arrives, so the output never starts or ends with whitespace and never has runs of them.
 */
class TextBuilder {
  readonly parts: string[] = [];
  length = 0;
  private pendingBreak = 0;
  private pendingSpace = false;
  private pendingSeparator: string | null = null;

  /** Request a line break (1) or a blank line (2) before the next text. */
  block(level: 1 | 2): void {
    if (this.length === 0) return;
    if (level > this.pendingBreak) this.pendingBreak = level;
    this.pendingSpace = false;
    this.pendingSeparator = null;
  }

  /** <br>: one newline; two in a row make a blank line. */
  lineBreak(): void {
    if (this.length === 0) return;
    this.pendingBreak = Math.min(2, this.pendingBreak + 1);
    this.pendingSpace = false;
  }

  space(): void {
    this.pendingSpace = true;
  }

  separator(value: string): void {
    if (this.length === 0 || this.pendingBreak > 0) return;
    this.pendingSeparator = value;
  }

  /**
   * Appends text; returns the offset where it starts, or -1 if nothing was written (whitespace only).
   * `preserve` keeps whitespace as-is (inside <pre>).
   */
  text(raw: string, preserve: boolean): number {
    if (preserve) {
      if (raw === "") return -1;
      this.flush(false);
      return this.push(raw);
    }
    const collapsed = raw.replace(WHITESPACE, " ");
    if (collapsed === "") return -1;
    if (collapsed === " ") {
      this.pendingSpace = true;
      return -1;
    }
    const leading = collapsed.charCodeAt(0) === 32;
    const trailing = collapsed.charCodeAt(collapsed.length - 1) === 32;
    const content = collapsed.slice(leading ? 1 : 0, trailing ? collapsed.length - 1 : collapsed.length);
    this.flush(leading);
    const start = this.push(content);
    this.pendingSpace = trailing;
    return start;
  }

  toString(): string {
    return this.parts.join("");
  }

  private flush(leadingSpace: boolean): void {
    if (this.length > 0) {
      if (this.pendingBreak > 0) this.push(this.pendingBreak === 2 ? "\n\n" : "\n");
      else if (this.pendingSeparator !== null) this.push(this.pendingSeparator);
      else if (this.pendingSpace || leadingSpace) this.push(" ");
    }
    this.pendingBreak = 0;
    this.pendingSpace = false;
    this.pendingSeparator = null;
  }

  private push(value: string): number {
    const start = this.length;
    this.parts.push(value);
    this.length += value.length;
    return start;
  }
}

export type HtmlMode =
  /** A web page: boilerplate removal and <main>/<article> preference apply. */
  | "page"
  /** Trusted HTML produced by a converter (mammoth): everything is content. */
  | "fragment";

type Region = "main" | "article" | "all";

interface OpenElement {
  name: string;
  dropped: boolean;
  regionRoot: boolean;
  contentRoot: boolean;
  heading: boolean;
  pre: boolean;
  cell: boolean;
  list: boolean;
  row: { cells: number } | null;
}

export interface HtmlExtraction {
  text: string;
  sections: SectionSpan[];
  /** The document's <title>, if any. */
  documentTitle: string | null;
  lang: string | null;
  description: string | null;
}

interface WalkResult {
  mains: number;
  articles: number;
  extraction: HtmlExtraction;
}

function isDropped(
  name: string,
  attribs: Record<string, string>,
  insideContent: boolean,
  mode: HtmlMode,
): boolean {
  if (mode === "fragment") {
    // mammoth renders footnote/endnote back-references as <a href="#footnote-ref-1">↑</a>.
    return name === "a" && /^#(?:footnote|endnote|comment)-ref-/.test(attribs.href ?? "");
  }
  if (DROP_ALWAYS.has(name)) return true;
  if (DROP_OUTSIDE_CONTENT.has(name) && !insideContent) return true;
  if ("hidden" in attribs) return true;
  if (attribs["aria-hidden"]?.trim().toLowerCase() === "true") return true;
  const role = attribs.role?.trim().toLowerCase();
  if (role !== undefined && DROP_ROLES.has(role)) return true;
  const style = attribs.style;
  if (style !== undefined && /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b/i.test(style))
    return true;
  return false;
}

function walk(html: string, mode: HtmlMode, region: Region): WalkResult {
  const out = new TextBuilder();
  const stack: OpenElement[] = [];
  const headings: HeadingMark[] = [];
  let mains = 0;
  let articles = 0;
  let droppedDepth = 0;
  let regionDepth = 0;
  let contentDepth = 0;
  let preDepth = 0;
  let cellDepth = 0;
  let listDepth = 0;
  let preJustOpened = false;
  let heading: { level: number; start: number; firstPart: number } | null = null;
  let titleCapture: string[] | null = null;
  let documentTitle: string | null = null;
  let lang: string | null = null;
  let description: string | null = null;

  const emitting = (): boolean => droppedDepth === 0 && (region === "all" || regionDepth > 0);
  const block = (level: 1 | 2): void => {
    if (!emitting()) return;
    if (cellDepth > 0) out.space();
    else out.block(level);
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === "html" && lang === null) lang = cleanTitle(attribs.lang);
        if (name === "meta" && description === null && attribs.name?.toLowerCase() === "description") {
          description = cleanTitle(attribs.content);
        }
        if (name === "title" && documentTitle === null && titleCapture === null) {
          const inForeign = stack.some((e) => e.name === "svg" || e.name === "math");
          if (!inForeign) titleCapture = [];
        }

        const isMain = name === "main" || attribs.role?.trim().toLowerCase() === "main";
        const dropped = droppedDepth === 0 && isDropped(name, attribs, contentDepth > 0, mode);
        const element: OpenElement = {
          name,
          dropped,
          regionRoot: false,
          contentRoot: false,
          heading: false,
          pre: false,
          cell: false,
          list: false,
          row: null,
        };
        stack.push(element);
        if (dropped) {
          droppedDepth++;
          return;
        }
        if (droppedDepth > 0) return;

        if (isMain || name === "article") {
          if (isMain) mains++;
          else articles++;
          element.contentRoot = true;
          contentDepth++;
          if ((region === "main" && isMain) || (region === "article" && name === "article" && !isMain)) {
            element.regionRoot = true;
            regionDepth++;
          }
        }

        const level = HEADING_LEVEL[name];
        if (level !== undefined && heading === null) {
          block(2);
          element.heading = true;
          heading = { level, start: -1, firstPart: -1 };
          return;
        }
        if (name === "br") {
          if (emitting()) {
            if (cellDepth > 0) out.space();
            else out.lineBreak();
          }
          return;
        }
        if (name === "tr") element.row = { cells: 0 };
        if (name === "td" || name === "th") {
          let row: { cells: number } | null = null;
          for (let i = stack.length - 1; i >= 0 && row === null; i--) row = stack[i]!.row;
          if (row && emitting() && cellDepth === 0) {
            if (row.cells > 0) out.separator(" | ");
            row.cells++;
          }
          element.cell = true;
          cellDepth++;
          return;
        }
        if (name === "pre" || name === "textarea" || name === "listing" || name === "xmp") {
          block(2);
          element.pre = true;
          preDepth++;
          preJustOpened = true;
          return;
        }
        if (LIST_CONTAINERS.has(name)) {
          block(listDepth > 0 ? 1 : 2);
          element.list = true;
          listDepth++;
          return;
        }
        if (PARAGRAPH_BLOCKS.has(name)) block(2);
        else if (LINE_BLOCKS.has(name)) block(1);
      },

      onclosetag(name) {
        // htmlparser2 reports implied closes (and void elements) too, so the stack stays balanced; be
        // defensive anyway and unwind to the matching element.
        let index = stack.length - 1;
        while (index >= 0 && stack[index]!.name !== name) index--;
        if (index < 0) return;
        while (stack.length > index) closeElement(stack.pop()!);
      },

      ontext(data) {
        if (titleCapture !== null) {
          titleCapture.push(data);
          return;
        }
        if (!emitting()) return;
        let raw = data;
        if (preDepth > 0 && preJustOpened) {
          // Like browsers, ignore one newline right after <pre>.
          raw = raw.replace(/^\r?\n/, "");
        }
        preJustOpened = false;
        const start = out.text(raw, preDepth > 0);
        if (start >= 0 && heading !== null && heading.start < 0) {
          heading.start = start;
          heading.firstPart = out.parts.length - 1;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );

  function closeElement(element: OpenElement): void {
    if (element.name === "title" && titleCapture !== null) {
      documentTitle = cleanTitle(titleCapture.join(""));
      titleCapture = null;
    }
    if (element.dropped) {
      droppedDepth--;
      return;
    }
    if (droppedDepth > 0) return;
    if (element.heading && heading !== null) {
      if (heading.start >= 0 && emitting()) {
        const title = cleanTitle(out.parts.slice(heading.firstPart).join(""));
        if (title !== null) headings.push({ title, level: heading.level, start: heading.start });
      }
      heading = null;
      block(2);
    } else if (element.cell) {
      cellDepth--;
    } else if (element.pre) {
      preDepth--;
      preJustOpened = false;
      block(2);
    } else if (element.list) {
      listDepth--;
      block(listDepth > 0 ? 1 : 2);
    } else if (PARAGRAPH_BLOCKS.has(element.name)) {
      block(2);
    } else if (LINE_BLOCKS.has(element.name)) {
      block(1);
    }
    // Close the region last so the block break above is still recorded while emitting.
    if (element.contentRoot) contentDepth--;
    if (element.regionRoot) {
      regionDepth--;
      // Separate consecutive regions (e.g. two <article>s) by a blank line.
      out.block(2);
    }
  }

  parser.write(html);
  parser.end();

  const text = out.toString();
  return {
    mains,
    articles,
    extraction: {
      text,
      sections: sectionsFromHeadings(headings, text.length),
      documentTitle,
      lang,
      description,
    },
  };
}

/**
 * Extracts text and heading sections from HTML. In "page" mode a first pass finds out whether the page has
 * a <main> or <article> (outside dropped boilerplate), and the second pass keeps only that region.
 */
export function extractHtml(html: string, mode: HtmlMode): HtmlExtraction {
  if (mode === "fragment") return walk(html, mode, "all").extraction;
  const probe = walk(html, mode, "all");
  if (probe.mains > 0) return walk(html, mode, "main").extraction;
  if (probe.articles > 0) return walk(html, mode, "article").extraction;
  return probe.extraction;
}

export function loadHtml(html: string): ExtractedContent {
  const extraction = extractHtml(html, "page");
  const metadata: Record<string, unknown> = {};
  if (extraction.lang !== null) metadata.lang = extraction.lang;
  if (extraction.description !== null) metadata.description = extraction.description;
  return {
    text: extraction.text,
    pages: [],
    sections: extraction.sections,
    title: extraction.documentTitle,
    titleSource: extraction.documentTitle === null ? null : "html-title",
    metadata,
  };
}

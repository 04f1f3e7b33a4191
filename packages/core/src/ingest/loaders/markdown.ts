import { cleanTitle, type ExtractedContent, type HeadingMark, sectionsFromHeadings } from "./shared.js";

/**
 * Markdown is kept verbatim as the document text (only a leading YAML front-matter block is removed), so
 * every offset points into the author's own source. Headings (ATX `#` and setext `===` / `---`) outside
 * fenced and indented code blocks become sections.
 */

export interface FrontMatter {
  /** Parsed top-level keys (scalars, flow lists, block lists, block scalars; nested maps as raw text). */
  data: Record<string, unknown>;
  /** Offset in the original source where the body (the document text) starts. */
  bodyStart: number;
}

interface Line {
  start: number;
  /** End of the line's content, before its terminator. */
  end: number;
  content: string;
}

function splitLines(text: string, from = 0): Line[] {
  const lines: Line[] = [];
  const pattern = /\r\n|\n|\r/g;
  pattern.lastIndex = from;
  let start = from;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    lines.push({ start, end: m.index, content: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ start, end: text.length, content: text.slice(start) });
  return lines;
}

// ------------------------------------------------------------------------------------------ front matter

const FRONT_MATTER_OPEN = /^---[ \t]*(?:\r\n|\n|\r)/;
const FRONT_MATTER_CLOSE = /^(?:---|\.\.\.)[ \t]*$/;
const KEY_LINE = /^([A-Za-z0-9_][\w .-]*?)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$/;

/** A YAML front-matter block at the very start of the file, or null. */
export function parseFrontMatter(source: string): FrontMatter | null {
  const open = FRONT_MATTER_OPEN.exec(source);
  if (!open) return null;
  const lines = splitLines(source, open[0].length);
  const closeIndex = lines.findIndex((l) => FRONT_MATTER_CLOSE.test(l.content));
  if (closeIndex < 0) return null;
  const close = lines[closeIndex]!;
  // The body starts after the closing line and its line terminator.
  const after = /^(?:\r\n|\n|\r)/.exec(source.slice(close.end, close.end + 2));
  const bodyStart = close.end + (after ? after[0].length : 0);
  return { data: parseSimpleYaml(lines.slice(0, closeIndex).map((l) => l.content)), bodyStart };
}

function indentOf(line: string): number {
  return /^[ \t]*/.exec(line)![0].length;
}

function parseScalar(raw: string): unknown {
  const value = raw.trim();
  if (value.startsWith('"')) {
    const end = value.lastIndexOf('"');
    const body = end > 0 ? value.slice(0, end + 1) : `${value}"`;
    try {
      return JSON.parse(body) as unknown;
    } catch {
      return body.slice(1, -1);
    }
  }
  if (value.startsWith("'")) {
    const end = value.lastIndexOf("'");
    return (end > 0 ? value.slice(1, end) : value.slice(1)).replace(/''/g, "'");
  }
  const uncommented = value.replace(/[ \t]+#.*$/, "");
  if (uncommented === "" || uncommented === "~" || uncommented === "null") return null;
  if (uncommented === "true") return true;
  if (uncommented === "false") return false;
  if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(uncommented)) return Number(uncommented);
  if (uncommented.startsWith("[") && uncommented.endsWith("]")) {
    const inner = uncommented.slice(1, -1).trim();
    if (inner === "") return [];
    return splitFlowList(inner).map(parseScalar);
  }
  return uncommented;
}

function splitFlowList(inner: string): string[] {
  const items: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const ch of inner) {
    if (quote !== null) {
      current += ch;
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === ",") {
      items.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  items.push(current);
  return items.map((s) => s.trim());
}

/**
 * A deliberately small YAML subset — what front matter uses in practice: `key: scalar`, `key: [a, b]`,
 * `key:` followed by `- item` lines, block scalars `|` / `>`; other indented blocks (nested maps) are kept
 * as their raw text. Comments and unrecognised lines are ignored.
 */
export function parseSimpleYaml(lines: readonly string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    i++;
    if (line.trim() === "" || line.trimStart().startsWith("#") || indentOf(line) > 0) continue;
    const match = KEY_LINE.exec(line);
    if (!match) continue;
    const key = match[1]!;
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    const rest = match[2] ?? "";
    const block: string[] = [];
    while (
      i < lines.length &&
      (lines[i]!.trim() === "" || indentOf(lines[i]!) > 0 || /^- /.test(lines[i]!))
    ) {
      block.push(lines[i]!);
      i++;
    }
    while (block.length > 0 && block[block.length - 1]!.trim() === "") block.pop();
    if (/^[|>][+-]?$/.test(rest)) {
      const minIndent = Math.min(...block.filter((l) => l.trim() !== "").map(indentOf));
      const body = block.map((l) => l.slice(Number.isFinite(minIndent) ? minIndent : 0));
      data[key] = rest.startsWith("|") ? body.join("\n") : body.join(" ").replace(/\s+/g, " ").trim();
    } else if (rest !== "" || block.length === 0) {
      data[key] = parseScalar(rest);
    } else if (block.every((l) => l.trim() === "" || /^[ \t]*- /.test(l) || /^[ \t]*-$/.test(l))) {
      data[key] = block
        .filter((l) => l.trim() !== "")
        .map((l) => parseScalar(l.replace(/^[ \t]*-[ \t]?/, "")));
    } else {
      const minIndent = Math.min(...block.filter((l) => l.trim() !== "").map(indentOf));
      data[key] = block.map((l) => l.slice(minIndent)).join("\n");
    }
  }
  return data;
}

// ------------------------------------------------------------------------------------------ headings

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const ATX = /^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
/** Lines that start a container or a non-paragraph block, so they cannot be a setext heading's text. */
const NOT_PARAGRAPH = /^ {0,3}(?:[-+*][ \t]|\d{1,9}[.)][ \t]|>|<|\|)/;

/** Inline markup removed from heading titles: links/images keep their text, emphasis and code marks go. */
export function stripInlineMarkdown(value: string): string {
  return value
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, "$1")
    .replace(/<\/?[A-Za-z][^>]*>/g, "")
    .replace(/`+([^`]*)`+/g, "$1")
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2")
    .replace(/(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])/g, "$1")
    .replace(/(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])/g, "$1")
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, "$1")
    .replace(/[ \t]*\{#[\w-]+\}[ \t]*$/, "")
    .replace(/\\([!-/:-@[-`{-~])/g, "$1");
}

/** Finds ATX and setext headings in `text`, skipping fenced code blocks and indented code. */
export function findMarkdownHeadings(text: string): HeadingMark[] {
  const headings: HeadingMark[] = [];
  const lines = splitLines(text);
  let fence: { char: string; length: number } | null = null;
  /** The open paragraph that a setext underline would turn into a heading. */
  let paragraph: { start: number; lines: string[] } | null = null;
  /** Inside a list item, block quote, HTML or table block: its lazy lines are not a paragraph of their own. */
  let otherBlock = false;

  for (const line of lines) {
    const content = line.content;
    if (fence !== null) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(content);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = null;
      continue;
    }
    if (content.trim() === "") {
      paragraph = null;
      otherBlock = false;
      continue;
    }
    const fenceOpen = FENCE_OPEN.exec(content);
    if (fenceOpen && !(fenceOpen[1]![0] === "`" && fenceOpen[2]!.includes("`"))) {
      fence = { char: fenceOpen[1]![0]!, length: fenceOpen[1]!.length };
      paragraph = null;
      otherBlock = false;
      continue;
    }
    if (paragraph === null && !otherBlock && /^(?: {4}|\t)/.test(content)) continue; // indented code
    const atx = ATX.exec(content);
    if (atx) {
      const raw = atx[2]!.trim().replace(/(?:^|[ \t]+)#+$/, "");
      const title = cleanTitle(stripInlineMarkdown(raw));
      if (title !== null) headings.push({ title, level: atx[1]!.length, start: line.start });
      paragraph = null;
      otherBlock = false;
      continue;
    }
    const underline = SETEXT_UNDERLINE.exec(content);
    if (underline && paragraph !== null) {
      const title = cleanTitle(stripInlineMarkdown(paragraph.lines.join(" ")));
      if (title !== null) {
        headings.push({ title, level: underline[1]![0] === "=" ? 1 : 2, start: paragraph.start });
      }
      paragraph = null;
      continue;
    }
    if (THEMATIC_BREAK.test(content)) {
      paragraph = null;
      otherBlock = false;
      continue;
    }
    if (paragraph !== null) {
      paragraph.lines.push(content.trim());
    } else if (otherBlock || NOT_PARAGRAPH.test(content)) {
      otherBlock = true;
    } else {
      paragraph = { start: line.start, lines: [content.trim()] };
    }
  }
  return headings;
}

export function loadMarkdown(source: string): ExtractedContent {
  const frontMatter = parseFrontMatter(source);
  const text = frontMatter === null ? source : source.slice(frontMatter.bodyStart);
  const sections = sectionsFromHeadings(findMarkdownHeadings(text), text.length);
  const title = cleanTitle(frontMatter?.data.title);
  const metadata: Record<string, unknown> = {};
  if (frontMatter !== null) metadata.frontMatter = frontMatter.data;
  return { text, pages: [], sections, title, titleSource: title === null ? null : "front-matter", metadata };
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadDocument } from "../../src/ingest/loaders/index.js";
import {
  findMarkdownHeadings,
  parseFrontMatter,
  parseSimpleYaml,
  stripInlineMarkdown,
} from "../../src/ingest/loaders/markdown.js";
import { fixture, fixturePath } from "./helpers.js";

const md = (source: string, filename = "doc.md") =>
  loadDocument({ data: Buffer.from(source, "utf8"), filename });

describe("Markdown loader", () => {
  it("keeps the source verbatim after the front matter, with nested heading sections", async () => {
    const source = readFileSync(fixturePath("sample.md"), "utf8");
    const doc = await loadDocument({ data: fixture("sample.md"), filename: "sample.md" });

    const body = source.slice(source.indexOf("# Getting started"));
    expect(doc.kind).toBe("markdown");
    expect(doc.mimeType).toBe("text/markdown");
    expect(doc.text).toBe(body);
    expect(doc.sections.map((s) => [s.title, s.level])).toEqual([
      ["Getting started", 1],
      ["Install", 2],
      ["Requirements", 3],
      ["Configure", 2],
      ["Reference", 1],
    ]);
    const slice = (i: number) => doc.text.slice(doc.sections[i]!.start, doc.sections[i]!.end);
    expect(slice(0).startsWith("# Getting started\n")).toBe(true);
    expect(slice(0).endsWith("Set the limits.\n\n")).toBe(true);
    expect(slice(1)).toBe(
      "## Install\n\nRun the installer.\n\n```sh\n# not a heading: this is a shell comment\nnpm install @ragkit/core\n```\n\n### Requirements ###\n\nNode 20 or newer.\n\n",
    );
    expect(slice(2)).toBe("### Requirements ###\n\nNode 20 or newer.\n\n");
    expect(slice(3)).toBe("## Configure\n\nSet the limits.\n\n");
    expect(slice(4)).toBe("# Reference\n\nSee the API docs.\n");
    expect(doc.sections[4]!.end).toBe(doc.text.length);

    expect(doc.title).toBe("Loader Guide");
    expect(doc.metadata).toMatchObject({
      type: "markdown",
      title: "Loader Guide",
      titleSource: "front-matter",
      frontMatter: {
        title: "Loader Guide",
        tags: ["ingest", "loaders"],
        draft: false,
        version: 3,
        authors: ["Ada", "Linus"],
      },
    });
  });

  it("takes the title from the first level-1 heading, then any heading, then the filename", async () => {
    expect((await md("intro\n\n## Second\n\n# First\n")).title).toBe("First");
    const onlyH2 = await md("## Only two\n");
    expect(onlyH2.title).toBe("Only two");
    expect(onlyH2.metadata.titleSource).toBe("heading");
    const none = await md("just text\n", "notes.md");
    expect(none.title).toBe("notes.md");
    expect(none.metadata.titleSource).toBe("filename");
  });

  it("recognises setext headings and CRLF line endings with exact offsets", async () => {
    const source =
      "Main Title\r\n==========\r\n\r\nIntro.\r\n\r\nA Subtitle\r\nspanning lines\r\n---\r\n\r\nText.\r\n";
    const doc = await md(source);
    expect(doc.text).toBe(source);
    expect(doc.sections).toEqual([
      { title: "Main Title", level: 1, start: 0, end: source.length },
      {
        title: "A Subtitle spanning lines",
        level: 2,
        start: source.indexOf("A Subtitle"),
        end: source.length,
      },
    ]);
  });

  it("ignores heading-like lines in code, lists, quotes and thematic breaks", () => {
    const source = [
      "#hashtag is not a heading",
      "",
      "    # indented code",
      "",
      "~~~",
      "# fenced with tildes",
      "~~~",
      "",
      "````md",
      "```",
      "# still inside the four-backtick fence",
      "````",
      "",
      "- list item",
      "lazy continuation",
      "---",
      "",
      "> quote",
      "---",
      "",
      "---",
      "",
      "####### seven hashes",
      "# Real",
    ].join("\n");
    expect(findMarkdownHeadings(source)).toEqual([
      { title: "Real", level: 1, start: source.indexOf("# Real") },
    ]);
  });

  it("cleans inline markup out of heading titles", () => {
    const source =
      "## The `loadDocument` [API](https://x.dev) is **fast** and _safe_ ##\n# snake_case_name {#anchor}\n";
    expect(findMarkdownHeadings(source).map((h) => h.title)).toEqual([
      "The loadDocument API is fast and safe",
      "snake_case_name",
    ]);
    expect(stripInlineMarkdown("![logo](x.png) \\# not *a* heading")).toBe("logo # not a heading");
  });

  it("keeps an unterminated front-matter block as text", async () => {
    const source = "---\ntitle: never closed\n\n# Heading\n";
    const doc = await md(source);
    expect(doc.text).toBe(source);
    expect(doc.metadata.frontMatter).toBeUndefined();
    expect(doc.title).toBe("Heading");
  });

  it("is chosen by MIME type when there is no filename", async () => {
    const doc = await loadDocument({ data: Buffer.from("# Hi\n"), mimeType: "text/markdown; charset=utf-8" });
    expect(doc.kind).toBe("markdown");
    expect(doc.sections).toHaveLength(1);
  });
});

describe("front matter", () => {
  it("parses the common YAML subset", () => {
    const parsed = parseSimpleYaml([
      "# a comment",
      'title: "Quoted: with colon"',
      "single: 'it''s'",
      "plain: hello world # trailing comment",
      "url: https://example.com/a#b",
      "count: 42",
      "ratio: -1.5",
      "on: true",
      "nothing: ~",
      "flow: [a, 'b, c', \"d\"]",
      "empty: []",
      "list:",
      "  - one",
      "  - 2",
      "literal: |",
      "  line 1",
      "  line 2",
      "folded: >",
      "  folded",
      "  text",
      "nested:",
      "  key: value",
      "  other: 1",
      "__proto__: [injected]",
    ]);
    expect(parsed).toEqual({
      title: "Quoted: with colon",
      single: "it's",
      plain: "hello world",
      url: "https://example.com/a#b",
      count: 42,
      ratio: -1.5,
      on: true,
      nothing: null,
      flow: ["a", "b, c", "d"],
      empty: [],
      list: ["one", 2],
      literal: "line 1\nline 2",
      folded: "folded text",
      nested: "key: value\nother: 1",
    });
    // A `__proto__` key must not replace the prototype of the parsed object.
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).not.toContain("__proto__");
  });

  it("finds the body start after the closing line", () => {
    const source = "---\r\ntitle: x\r\n...\r\nBody";
    const fm = parseFrontMatter(source);
    expect(fm?.data).toEqual({ title: "x" });
    expect(source.slice(fm!.bodyStart)).toBe("Body");
    expect(parseFrontMatter("Body\n---\ntitle: x\n---\n")).toBeNull();
  });
});

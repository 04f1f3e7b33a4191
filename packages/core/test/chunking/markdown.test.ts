import { describe, expect, test } from "vitest";
import { chunkDocument, scanMarkdownSections } from "../../src/ingest/chunking/index.js";
import type { SectionSpan } from "../../src/ingest/types.js";
import { expectChunkInvariants, makeDoc, prose } from "./helpers.js";

const markdownDoc = (text: string, sections: SectionSpan[] = []) =>
  makeDoc(text, { kind: "markdown", mimeType: "text/markdown", sections });

describe("scanMarkdownSections", () => {
  test("finds ATX headings with their level and nested spans", () => {
    const text = [
      "Preamble text.",
      "# Guide",
      "Intro.",
      "## Install ##",
      "Steps.",
      "   ### Linux",
      "apt install.",
      "## Usage",
      "Use it.",
      "# Appendix",
      "End.",
    ].join("\n");
    const at = (line: string) => text.indexOf(line);
    expect(scanMarkdownSections(text)).toEqual([
      { title: "Guide", level: 1, start: at("# Guide"), end: at("# Appendix") },
      { title: "Install", level: 2, start: at("## Install"), end: at("## Usage") },
      { title: "Linux", level: 3, start: at("   ### Linux"), end: at("## Usage") },
      { title: "Usage", level: 2, start: at("## Usage"), end: at("# Appendix") },
      { title: "Appendix", level: 1, start: at("# Appendix"), end: text.length },
    ]);
  });

  test("ignores headings inside fenced code, and things that are not ATX headings", () => {
    const text = [
      "# Real",
      "```bash",
      "# a shell comment",
      "```",
      "~~~~",
      "# also code",
      "~~~",
      "# still code (the fence needs 4 tildes to close)",
      "~~~~",
      "#hashtag",
      "####### seven",
      "    # indented code",
      "\\# escaped",
      "## Second",
    ].join("\n");
    expect(scanMarkdownSections(text).map((s) => s.title)).toEqual(["Real", "Second"]);
  });

  test("works with CRLF and CR line endings", () => {
    for (const eol of ["\r\n", "\r"]) {
      const text = ["# One", "body", "## Two", "body"].join(eol);
      const sections = scanMarkdownSections(text);
      expect(sections.map((s) => [s.title, s.start])).toEqual([
        ["One", 0],
        ["Two", text.indexOf("## Two")],
      ]);
    }
  });
});

describe("chunkDocument: markdown strategy (default for markdown documents)", () => {
  test("a heading with no body is joined to the next section, never a chunk of its own", async () => {
    const text =
      "# Employee Handbook\n\n## Time off\n\nStaff get 25 days of leave.\n\n## Remote work\n\nUp to three days a week.";
    const doc = markdownDoc(text);
    const chunks = await chunkDocument(doc);
    expectChunkInvariants(doc, chunks, { chunkSize: 512, chunkOverlap: 50 });
    expect(chunks.map((c) => c.text)).toEqual([
      "# Employee Handbook\n\n## Time off\n\nStaff get 25 days of leave.",
      "## Remote work\n\nUp to three days a week.",
    ]);
    // The joined chunk is named after its content's section, with the title in its path.
    expect(chunks[0]!.sectionTitle).toBe("Time off");
  });

  const longSection = prose(900, 4);
  const text = [
    "Preamble before any heading.",
    "",
    "# Guide",
    "",
    "Short intro.",
    "",
    "## Install",
    "",
    longSection,
    "",
    "### Linux",
    "",
    "```",
    "# not a heading",
    "```",
    "",
    "## Usage",
    "",
    "Use it wisely.",
  ].join("\n");

  test("one chunk per heading section; long sections are sentence-split within their bounds", async () => {
    const doc = markdownDoc(text);
    const chunks = await chunkDocument(doc, { chunkSize: 128 });
    expectChunkInvariants(doc, chunks, { chunkSize: 128, chunkOverlap: 32 });
    expect(chunks.every((c) => c.metadata.strategy === "markdown")).toBe(true);

    const headingStarts = scanMarkdownSections(text).map((s) => s.start);
    expect(headingStarts).toHaveLength(4);
    for (const start of headingStarts) {
      // Every heading starts a chunk, and no chunk crosses a heading.
      expect(chunks.some((c) => c.start === start)).toBe(true);
      expect(chunks.some((c) => c.start < start && start < c.end)).toBe(false);
    }
    expect(chunks[0]!.text).toBe("Preamble before any heading.");
    expect(chunks[0]!.sectionTitle).toBeNull();
    expect(chunks[1]!.text).toBe("# Guide\n\nShort intro.");

    const install = chunks.filter((c) => c.sectionTitle === "Install");
    expect(install.length).toBeGreaterThan(3);
    expect(
      install.every((c) => c.start >= text.indexOf("## Install") && c.end <= text.indexOf("### Linux")),
    ).toBe(true);
    expect(install[0]!.metadata.sectionPath).toEqual(["Guide", "Install"]);
    const linux = chunks.find((c) => c.sectionTitle === "Linux")!;
    expect(linux.text).toBe("### Linux\n\n```\n# not a heading\n```");
    expect(linux.metadata.sectionPath).toEqual(["Guide", "Install", "Linux"]);
    expect(chunks.at(-1)!.metadata.sectionPath).toEqual(["Guide", "Usage"]);
  });

  test("uses the loader's sections when the document has them", async () => {
    // The loader says "Install" starts at the long paragraph, not at the "## Install" line.
    const start = text.indexOf(longSection);
    const sections: SectionSpan[] = [
      { title: "Loader section", level: 1, start, end: start + longSection.length },
    ];
    const chunks = await chunkDocument(markdownDoc(text, sections), { chunkSize: 128 });
    expectChunkInvariants(markdownDoc(text), chunks, { chunkSize: 128, chunkOverlap: 32 });
    expect(chunks.some((c) => c.start === start)).toBe(true);
    expect(chunks.some((c) => c.start === text.indexOf("## Install"))).toBe(false);
    expect(chunks.find((c) => c.start === start)!.sectionTitle).toBe("Loader section");
    const after = chunks.find((c) => c.start === text.indexOf("### Linux"))!; // the section's end is a boundary too
    expect(after.sectionTitle).toBeNull();
    expect(chunks[0]!.text.startsWith("Preamble before any heading.\n\n# Guide")).toBe(true);
  });

  test("the strategy can be chosen for any document kind, and markdown documents can use 'sentence'", async () => {
    const asText = await chunkDocument(makeDoc(text), { strategy: "markdown", chunkSize: 128 });
    const asMarkdown = await chunkDocument(markdownDoc(text), { chunkSize: 128 });
    expect(asText.map((c) => [c.start, c.end])).toEqual(asMarkdown.map((c) => [c.start, c.end]));
    const sentence = await chunkDocument(markdownDoc(text), { strategy: "sentence", chunkSize: 128 });
    expect(sentence.every((c) => c.metadata.strategy === "sentence")).toBe(true);
    expect(sentence.length).not.toBe(asMarkdown.length);
  });

  test("CRLF markdown keeps exact offsets", async () => {
    const crlf = text.replace(/\n/g, "\r\n");
    const chunks = await chunkDocument(markdownDoc(crlf), { chunkSize: 128 });
    expectChunkInvariants(markdownDoc(crlf), chunks, { chunkSize: 128, chunkOverlap: 32 });
    const lf = await chunkDocument(markdownDoc(text), { chunkSize: 128 });
    expect(chunks.map((c) => c.text.replace(/\r\n/g, "\n"))).toEqual(lf.map((c) => c.text));
  });
});

import { describe, expect, it } from "vitest";
import { extractHtml } from "../../src/ingest/loaders/html.js";
import { loadDocument } from "../../src/ingest/loaders/index.js";
import type { LoadedDocument } from "../../src/ingest/types.js";
import { fixture } from "./helpers.js";

const EXPECTED_FIXTURE_TEXT = [
  "The Café Guide",
  "By Ada",
  "Coffee & tea are both served here — all day.",
  "Opening hours",
  "Monday\nTuesday",
  "Espresso\nLatte",
  "Holidays",
  "Closed on holidays.",
  "Prices",
  "Drink | Price\nEspresso | 2 €",
  "  line one\n    line two",
].join("\n\n");

function expectExactSections(doc: Pick<LoadedDocument, "text" | "sections">): void {
  for (const section of doc.sections) {
    expect(doc.text.slice(section.start, section.start + section.title.length)).toBe(section.title);
    expect(section.end).toBeGreaterThan(section.start);
    expect(section.end).toBeLessThanOrEqual(doc.text.length);
  }
}

const page = (body: string, head = "") =>
  `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

describe("HTML loader", () => {
  it("keeps the <article>, drops scripts, styles and navigation, and maps h1–h6 to exact sections", async () => {
    const doc = await loadDocument({ data: fixture("sample.html"), filename: "sample.html" });

    expect(doc.kind).toBe("html");
    expect(doc.mimeType).toBe("text/html");
    expect(doc.text).toBe(EXPECTED_FIXTURE_TEXT);
    expect(doc.text).not.toMatch(/SHOULD-NOT-APPEAR|tracking|color: red/);
    expect(doc.sections.map((s) => [s.title, s.level])).toEqual([
      ["The Café Guide", 1],
      ["Opening hours", 2],
      ["Holidays", 3],
      ["Prices", 2],
    ]);
    expectExactSections(doc);
    const slice = (i: number) => doc.text.slice(doc.sections[i]!.start, doc.sections[i]!.end);
    expect(slice(0)).toBe(doc.text);
    expect(slice(1)).toBe(
      "Opening hours\n\nMonday\nTuesday\n\nEspresso\nLatte\n\nHolidays\n\nClosed on holidays.\n\n",
    );
    expect(slice(2)).toBe("Holidays\n\nClosed on holidays.\n\n");
    expect(slice(3)).toBe("Prices\n\nDrink | Price\nEspresso | 2 €\n\n  line one\n    line two");

    expect(doc.title).toBe("Café Guide & More");
    expect(doc.metadata).toMatchObject({
      type: "html",
      title: "Café Guide & More",
      titleSource: "html-title",
      lang: "en",
      description: "Fixture page for the HTML loader",
    });
  });

  it("prefers <main> over <article>, and keeps every article when there is no <main>", () => {
    const withMain = extractHtml(
      page("<article>Teaser outside main</article><main><h1>Main</h1><p>Main body.</p></main>"),
      "page",
    );
    expect(withMain.text).toBe("Main\n\nMain body.");

    const roleMain = extractHtml(page('<div>chrome</div><div role="main"><p>Role main.</p></div>'), "page");
    expect(roleMain.text).toBe("Role main.");

    const articles = extractHtml(
      page(
        "<p>Intro outside.</p><article><h2>One</h2><p>First.</p></article><article><h2>Two</h2></article>",
      ),
      "page",
    );
    expect(articles.text).toBe("One\n\nFirst.\n\nTwo");
    expect(articles.sections).toEqual([
      { title: "One", level: 2, start: 0, end: "One\n\nFirst.\n\n".length },
      { title: "Two", level: 2, start: "One\n\nFirst.\n\n".length, end: articles.text.length },
    ]);
  });

  it("without <main>/<article>, drops page header, footer, nav, aside and hidden content", () => {
    const result = extractHtml(
      page(
        [
          "<header><h1>Site name</h1></header>",
          "<nav>Home | About</nav>",
          '<div role="navigation">menu</div>',
          "<h1>Real title</h1>",
          "<p>Visible <span hidden>hidden attr</span>text.</p>",
          '<p aria-hidden="true">aria hidden</p>',
          '<p style="color: red; display: none">display none</p>',
          '<p style="display:block">shown</p>',
          "<aside>sidebar</aside>",
          "<form><label>Search</label><select><option>opt</option></select><button>Go</button></form>",
          "<footer>© footer</footer>",
        ].join(""),
      ),
      "page",
    );
    expect(result.text).toBe("Real title\n\nVisible text.\n\nshown\n\nSearch");
    expect(result.sections).toEqual([{ title: "Real title", level: 1, start: 0, end: result.text.length }]);
  });

  it("collapses whitespace, decodes entities and lays out blocks", () => {
    const result = extractHtml(
      page(
        "<div>  a \n\t b&nbsp;&nbsp;c &lt;tag&gt; &#x1F600; &copy;</div><div>line<br>break<br><br>para</div>" +
          "<ul><li>x<ul><li>nested</li></ul></li><li>y</li></ul>" +
          "<dl><dt>term</dt><dd>definition</dd></dl>" +
          "<table><tr><td><p>cell</p><p>two paragraphs</p></td><td></td><td>c</td></tr></table>" +
          "<p>in<b>line</b> <i>styles</i></p><pre>\n  keep   spaces\n</pre><p>after</p>",
      ),
      "page",
    );
    expect(result.text).toBe(
      [
        "a b c <tag> 😀 ©\nline\nbreak\n\npara",
        "x\nnested\ny",
        "term\ndefinition",
        "cell two paragraphs | c",
        "inline styles",
        "  keep   spaces\n",
        "after",
      ].join("\n\n"),
    );
  });

  it("falls back to the first <h1> for the title, and builds nested section spans", async () => {
    const html = page(
      "<h2>Preface</h2><p>p</p><h1>Chapter</h1><h2>Part A</h2><p>a</p><h2>Part B</h2><h1>Next</h1>",
    );
    const doc = await loadDocument({ data: Buffer.from(html), filename: "t.html" });
    expect(doc.title).toBe("Chapter");
    expect(doc.metadata.titleSource).toBe("heading");
    expect(doc.text).toBe("Preface\n\np\n\nChapter\n\nPart A\n\na\n\nPart B\n\nNext");
    expectExactSections(doc);
    const byTitle = Object.fromEntries(doc.sections.map((s) => [s.title, doc.text.slice(s.start, s.end)]));
    expect(byTitle).toEqual({
      Preface: "Preface\n\np\n\n",
      Chapter: "Chapter\n\nPart A\n\na\n\nPart B\n\n",
      "Part A": "Part A\n\na\n\n",
      "Part B": "Part B\n\n",
      Next: "Next",
    });
  });

  it("ignores empty headings and does not take <svg><title> as the page title", () => {
    const result = extractHtml(
      page("<h2> </h2><h3><img src=x></h3><p>Body</p><svg><title>icon</title></svg>", "<meta charset=utf-8>"),
      "page",
    );
    expect(result.sections).toEqual([]);
    expect(result.documentTitle).toBeNull();
    expect(result.text).toBe("Body");
  });

  it("is sniffed from content when there is no filename or MIME type", async () => {
    const doc = await loadDocument({
      data: Buffer.from("<!-- generated -->\n<!DOCTYPE html><title>T</title><p>x</p>"),
    });
    expect(doc.kind).toBe("html");
    expect(doc.text).toBe("x");
    expect(doc.title).toBe("T");
  });

  it("honours an explicit .txt name over HTML-looking content", async () => {
    const source = "<html><body><p>literal markup</p></body></html>";
    const doc = await loadDocument({ data: Buffer.from(source), filename: "snippet.txt" });
    expect(doc.kind).toBe("text");
    expect(doc.text).toBe(source);
  });
});

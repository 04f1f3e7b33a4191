#!/usr/bin/env node
/**
 * Regenerates the document-loader fixtures in `test/fixtures/`.
 *
 *   node scripts/make-fixtures.mjs          (from packages/core)
 *
 * The output is deterministic (fixed dates, fixed zip timestamps, qpdf's static id / IV), so re-running the
 * script on an unchanged tree produces byte-identical files and no git churn. The encrypted PDFs need
 * `qpdf` on PATH (`apt-get install qpdf`); without it the script keeps the committed copies and says so.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as docx from "docx";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { PDFDocument, StandardFonts } from "pdf-lib";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "..", "test", "fixtures");
mkdirSync(outDir, { recursive: true });

const FIXED_DATE = new Date("2024-01-02T03:04:05Z");
const MAX_FIXTURE_BYTES = 200 * 1024;
const written = [];

function write(name, bytes) {
  const data = typeof bytes === "string" ? strToU8(bytes) : bytes;
  if (data.byteLength > MAX_FIXTURE_BYTES)
    throw new Error(`${name} is ${data.byteLength} bytes, over the limit`);
  writeFileSync(join(outDir, name), data);
  written.push(`${name} (${data.byteLength} B)`);
}

/** Deterministic pseudo-random bytes (LCG), so "garbage" fixtures are stable across runs. */
function garbage(length, seed) {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

// ---------------------------------------------------------------- PDF: three pages, distinct text, a Title
const PDF_PAGES = [
  ["Page one talks about aardvarks.", "Aardvarks dig burrows at night."],
  ["Page two talks about bumblebees.", "Bumblebees pollinate tomatoes."],
  ["Page three talks about cormorants.", "Cormorants dive for fish."],
];

async function makeSamplePdf() {
  const pdf = await PDFDocument.create();
  pdf.setTitle("RagKit Loader Fixture");
  pdf.setAuthor("RagKit Tests");
  pdf.setSubject("Three pages with distinct text");
  pdf.setKeywords(["ragkit", "fixture"]);
  pdf.setProducer("ragkit make-fixtures");
  pdf.setCreator("ragkit make-fixtures");
  pdf.setCreationDate(FIXED_DATE);
  pdf.setModificationDate(FIXED_DATE);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of PDF_PAGES) {
    const page = pdf.addPage([400, 300]);
    lines.forEach((line, i) => {
      page.drawText(line, { x: 30, y: 250 - i * 20, size: 12, font });
    });
  }
  return pdf.save({ useObjectStreams: false });
}

function qpdf(args) {
  const result = spawnSync("qpdf", args, { encoding: "utf8" });
  if (result.error) return { ok: false, reason: result.error.message };
  // qpdf exits 3 for "succeeded with warnings".
  if (result.status !== 0 && result.status !== 3) return { ok: false, reason: result.stderr };
  return { ok: true };
}

function makeEncryptedPdfs(samplePath) {
  const tmp = mkdtempSync(join(tmpdir(), "ragkit-fixtures-"));
  try {
    const targets = [
      // Needs a user password to open: the loader must refuse it.
      { name: "encrypted.pdf", user: "open-sesame", owner: "owner-secret" },
      // Owner password only (permissions): anyone can open and read it, so the loader must load it.
      { name: "permissions-only.pdf", user: "", owner: "owner-secret" },
    ];
    for (const t of targets) {
      const out = join(tmp, t.name);
      const r = qpdf([
        "--static-id",
        "--static-aes-iv",
        "--encrypt",
        t.user,
        t.owner,
        // AES-128 (R4) derives its key from the passwords and the (static) id, so the output is
        // reproducible; AES-256 (R6) draws a random file key on every run.
        "128",
        "--use-aes=y",
        "--",
        samplePath,
        out,
      ]);
      if (!r.ok) {
        if (existsSync(join(outDir, t.name))) {
          console.warn(`qpdf unavailable (${r.reason.trim()}); keeping the committed ${t.name}`);
          continue;
        }
        throw new Error(`qpdf is needed to create ${t.name}: ${r.reason}`);
      }
      write(t.name, readFileSync(out));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function makeCorruptPdf() {
  // A PDF header followed by bytes that contain no objects, no xref and no trailer.
  const header = strToU8("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", true);
  const body = garbage(2048, 42);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

// ---------------------------------------------------------------- DOCX
async function makeSampleDocx() {
  const { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } = docx;
  const doc = new Document({
    title: "Loader Handbook",
    creator: "RagKit Tests",
    description: "DOCX fixture with Heading 1 / Heading 2",
    sections: [
      {
        children: [
          new Paragraph({ text: "Introduction", heading: HeadingLevel.HEADING_1 }),
          new Paragraph({
            children: [
              new TextRun("RagKit loads "),
              new TextRun({ text: "Word documents", bold: true }),
              new TextRun(" into plain text."),
            ],
          }),
          new Paragraph("Each paragraph is separated by a blank line."),
          new Paragraph({ text: "Background", heading: HeadingLevel.HEADING_2 }),
          new Paragraph("Mammoth converts the document to HTML first."),
          new Paragraph({ text: "Scope", heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: "Headings become sections", bullet: { level: 0 } }),
          new Paragraph({ text: "Tables become rows", bullet: { level: 0 } }),
          new Table({
            rows: [
              new TableRow({
                children: [
                  new TableCell({ children: [new Paragraph("Format")] }),
                  new TableCell({ children: [new Paragraph("Loader")] }),
                ],
              }),
              new TableRow({
                children: [
                  new TableCell({ children: [new Paragraph("DOCX")] }),
                  new TableCell({ children: [new Paragraph("mammoth")] }),
                ],
              }),
            ],
          }),
          new Paragraph({ text: "Usage", heading: HeadingLevel.HEADING_1 }),
          new Paragraph("Call loadDocument with the bytes."),
        ],
      },
    ],
  });
  const generated = new Uint8Array(await Packer.toBuffer(doc));
  return repackDeterministically(generated);
}

/** `docx` stamps "now" into core.xml and into every zip entry; pin both so the fixture is reproducible. */
function repackDeterministically(zipBytes) {
  const entries = unzipSync(zipBytes);
  const files = {};
  for (const name of Object.keys(entries).sort()) {
    let data = entries[name];
    if (name === "docProps/core.xml") {
      const stamp = FIXED_DATE.toISOString().replace(/\.\d{3}Z$/, "Z");
      data = strToU8(
        strFromU8(data).replace(
          /(<dcterms:(?:created|modified)[^>]*>)[^<]*(<\/dcterms:(?:created|modified)>)/g,
          `$1${stamp}$2`,
        ),
      );
    }
    files[name] = [data, { mtime: FIXED_DATE, level: 6 }];
  }
  return zipSync(files);
}

// ---------------------------------------------------------------- Markdown / HTML / text
const SAMPLE_MD = `---
title: "Loader Guide"
tags: [ingest, loaders]
draft: false
version: 3
authors:
  - Ada
  - Linus
---
# Getting started

RagKit turns documents into text.

## Install

Run the installer.

\`\`\`sh
# not a heading: this is a shell comment
npm install @ragkit/core
\`\`\`

### Requirements ###

Node 20 or newer.

## Configure

Set the limits.

# Reference

See the API docs.
`;

const SAMPLE_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="description" content="Fixture page for the HTML loader">
  <title>Caf&eacute; Guide &amp; More</title>
  <style>body { color: red; } .secret { display: none }</style>
  <script>var tracking = "SCRIPT-TEXT-SHOULD-NOT-APPEAR";</script>
</head>
<body>
  <header class="site"><a href="/">SITE-HEADER-SHOULD-NOT-APPEAR</a></header>
  <nav><ul><li><a href="/a">NAV-LINK-SHOULD-NOT-APPEAR</a></li></ul></nav>
  <div class="promo">Promo outside the article SHOULD-NOT-APPEAR</div>
  <article>
    <header><h1>The   Caf&eacute;
      Guide</h1><p class="byline">By Ada</p></header>
    <p>Coffee &amp; tea are <em>both</em> served&nbsp;here &mdash; all day.</p>
    <noscript>NOSCRIPT-SHOULD-NOT-APPEAR</noscript>
    <h2>Opening hours</h2>
    <p>Monday<br>Tuesday</p>
    <ul><li>Espresso</li><li>Latte</li></ul>
    <h3>Holidays</h3>
    <p>Closed on holidays.</p>
    <aside>ASIDE-SHOULD-NOT-APPEAR</aside>
    <h2>Prices</h2>
    <table><tr><th>Drink</th><th>Price</th></tr><tr><td>Espresso</td><td>2 &euro;</td></tr></table>
    <pre>  line one
    line two</pre>
    <script>document.write("INLINE-SCRIPT-SHOULD-NOT-APPEAR")</script>
  </article>
  <footer>FOOTER-SHOULD-NOT-APPEAR</footer>
</body>
</html>
`;

const SAMPLE_TXT =
  "\uFEFFPlain text fixture.\nUnicode: café, naïve, 日本語, emoji 🙂.\r\nSecond paragraph after CRLF.\n";

function makeBinaryTxt() {
  // PNG signature + IHDR chunk header: NUL bytes and invalid UTF-8, saved with a .txt name.
  const png = new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x08, 0x06, 0x00, 0x00, 0x00,
  ]);
  const out = new Uint8Array(png.length + 64);
  out.set(png, 0);
  out.set(garbage(64, 7), png.length);
  return out;
}

// ---------------------------------------------------------------- main
const samplePdf = await makeSamplePdf();
write("sample.pdf", samplePdf);
makeEncryptedPdfs(join(outDir, "sample.pdf"));
write("corrupt.pdf", makeCorruptPdf());
write("sample.docx", await makeSampleDocx());
write("not-a-zip.docx", "This is a plain text file that somebody renamed to .docx.\n");
write("sample.md", SAMPLE_MD);
write("sample.html", SAMPLE_HTML);
write("sample.txt", SAMPLE_TXT);
// "Café" in Latin-1: 0xE9 is not valid UTF-8 on its own.
write("invalid-utf8.txt", new Uint8Array([...strToU8("Caf"), 0xe9, ...strToU8(" au lait\n")]));
write("binary.txt", makeBinaryTxt());
write("empty.txt", new Uint8Array(0));

for (const line of written) console.log(`wrote ${line}`);
for (const name of ["encrypted.pdf", "permissions-only.pdf"]) {
  if (!existsSync(join(outDir, name))) throw new Error(`${name} is missing`);
  if (statSync(join(outDir, name)).size > MAX_FIXTURE_BYTES) throw new Error(`${name} is too large`);
}

import { strFromU8 } from "fflate";
import { Parser } from "htmlparser2";
import mammoth from "mammoth";
import { RagKitError } from "../../errors/index.js";
import { extractHtml } from "./html.js";
import { cleanTitle, type ExtractedContent, errorMessage, throwIfAborted } from "./shared.js";
import { extractEntries, packStored, type ZipEntryInfo } from "./zip.js";

export const DOCX_MAIN_PART = "word/document.xml";
const CORE_PROPERTIES_PART = "docProps/core.xml";
/** mammoth's warnings are kept in metadata, but not thousands of them. */
const MAX_WARNINGS = 20;

export interface DocxOptions {
  signal?: AbortSignal;
}

/** Only the XML parts (and their relationships) are needed for text; media and embedded files never are. */
function isTextPart(name: string): boolean {
  return /\.(?:xml|rels)$/i.test(name);
}

/** docProps/core.xml → title, author, dates… (matched by local name, whatever the namespace prefix). */
export function parseCoreProperties(xml: string): Record<string, string> {
  const wanted: Record<string, string> = {
    title: "title",
    creator: "author",
    subject: "subject",
    description: "description",
    keywords: "keywords",
    lastmodifiedby: "lastModifiedBy",
    created: "createdAt",
    modified: "modifiedAt",
  };
  const found: Record<string, string> = {};
  let current: string | null = null;
  let buffer = "";
  let depth = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        depth++;
        if (depth === 2) {
          const local = name.slice(name.indexOf(":") + 1).toLowerCase();
          current = wanted[local] ?? null;
          buffer = "";
        }
      },
      ontext(text) {
        if (current !== null) buffer += text;
      },
      onclosetag() {
        if (depth === 2 && current !== null) {
          const value = cleanTitle(buffer);
          if (value !== null && found[current] === undefined) found[current] = value;
          current = null;
        }
        depth--;
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  return found;
}

/**
 * DOCX via mammoth. The archive was already vetted by `inspectZip` (declared sizes, ratios, entry count);
 * here only its XML parts are inflated, each into a buffer of its declared size, and re-packed *stored*
 * for mammoth, so mammoth's own unzip (JSZip) never inflates attacker-controlled deflate streams.
 * mammoth's HTML is then flattened like any HTML fragment: Heading 1–6 become sections, paragraphs are
 * separated by blank lines.
 */
export async function loadDocx(
  data: Uint8Array,
  entries: readonly ZipEntryInfo[],
  options: DocxOptions,
): Promise<ExtractedContent> {
  throwIfAborted(options.signal);
  const textParts = new Set(entries.filter((e) => isTextPart(e.name)).map((e) => e.name));
  const files = extractEntries(data, entries, textParts);
  if (files[DOCX_MAIN_PART] === undefined) {
    throw new RagKitError("invalid_input", `Not a Word document: the archive has no ${DOCX_MAIN_PART}.`);
  }

  const metadata: Record<string, unknown> = {};
  const coreXml = files[CORE_PROPERTIES_PART];
  let title: string | null = null;
  if (coreXml !== undefined) {
    const core = parseCoreProperties(strFromU8(coreXml));
    title = core.title ?? null;
    for (const [key, value] of Object.entries(core)) if (key !== "title") metadata[key] = value;
  }

  const packed = packStored(files);
  throwIfAborted(options.signal);
  let result: { value: string; messages: ReadonlyArray<{ message: string }> };
  try {
    result = await mammoth.convertToHtml(
      { buffer: Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength) },
      {
        // Images are not read at all (their bytes were not even extracted).
        convertImage: mammoth.images.imgElement(async () => ({ src: "" })),
        externalFileAccess: false,
        includeEmbeddedStyleMap: false,
      },
    );
  } catch (error) {
    throw new RagKitError("invalid_input", `Not a readable DOCX: ${errorMessage(error)}`, { cause: error });
  }
  throwIfAborted(options.signal);

  const extraction = extractHtml(result.value, "fragment");
  const warnings = [...new Set(result.messages.map((m) => m.message))];
  if (warnings.length > 0) metadata.warnings = warnings.slice(0, MAX_WARNINGS);
  return {
    text: extraction.text,
    pages: [],
    sections: extraction.sections,
    title,
    titleSource: title === null ? null : "docx-core",
    metadata,
  };
}

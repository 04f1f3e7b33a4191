import type { ExtractedContent } from "./shared.js";

export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be";

export type DecodedText =
  | { ok: true; text: string; encoding: TextEncodingName; hadBom: boolean }
  | { ok: false; reason: "invalid_encoding"; encoding: TextEncodingName; offset: number | null }
  | { ok: false; reason: "binary"; detail: string };

/**
 * Control characters that never appear in real text. TAB, LF, VT, FF, CR and ESC (ANSI colour codes in
 * logs) are allowed; NUL is never allowed.
 */
function isBinaryControl(code: number): boolean {
  return (
    (code < 0x20 &&
      code !== 0x09 &&
      code !== 0x0a &&
      code !== 0x0b &&
      code !== 0x0c &&
      code !== 0x0d &&
      code !== 0x1b) ||
    code === 0x7f
  );
}

/** More than one stray control character per thousand characters means "binary", not "text with a typo". */
const MAX_CONTROL_RATIO = 0.001;

/**
 * Decodes bytes as text, strictly: UTF-8 (the default; a UTF-8 BOM is stripped) or UTF-16 when the data
 * starts with a UTF-16 BOM. Fails on any invalid byte sequence, on any NUL and on binary control bytes.
 */
export function decodeText(data: Uint8Array): DecodedText {
  let encoding: TextEncodingName = "utf-8";
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) encoding = "utf-16le";
  else if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) encoding = "utf-16be";

  let text: string;
  try {
    // ignoreBOM: false (the default) makes the decoder strip a leading BOM of its own encoding.
    text = new TextDecoder(encoding, { fatal: true }).decode(data);
  } catch {
    return {
      ok: false,
      reason: "invalid_encoding",
      encoding,
      offset: encoding === "utf-8" ? firstInvalidUtf8Offset(data) : null,
    };
  }
  const hadBom = encoding !== "utf-8" || (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf);

  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) return { ok: false, reason: "binary", detail: `contains a NUL character at offset ${i}` };
    if (isBinaryControl(code)) controls++;
  }
  if (controls > 0 && controls / text.length > MAX_CONTROL_RATIO) {
    return { ok: false, reason: "binary", detail: `contains ${controls} binary control characters` };
  }
  return { ok: true, text, encoding, hadBom };
}

/** Byte offset of the first invalid UTF-8 sequence (used only for error messages). */
export function firstInvalidUtf8Offset(data: Uint8Array): number | null {
  let i = 0;
  while (i < data.length) {
    const b = data[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = data[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return null;
}

/** Plain text: the decoded text exactly (BOM stripped), no sections, no pages. */
export function loadText(text: string, encoding: TextEncodingName): ExtractedContent {
  return {
    text,
    pages: [],
    sections: [],
    title: null,
    titleSource: null,
    metadata: encoding === "utf-8" ? {} : { encoding },
  };
}

import { int8IdSchema, type JsonLimits, jsonProblems, textProblem } from "@ragkit/protocol/primitives";
import { ValidationError, validationErrorFromZod } from "../errors/index.js";

/**
 * The one path for the text and JSON that core writes to Postgres, which cannot store NUL (U+0000) in `text`
 * or `jsonb` and refuses unpaired UTF-16 surrogates in `jsonb`. Each value takes one of three routes, chosen
 * by where it comes from (docs/security.md#input-validation lists them per field):
 *
 * 1. Input (titles, names, ids, metadata, connector config, messages): **refused** with a ValidationError that
 *    names the field, before anything is written. The checks are @ragkit/protocol's `textSchema` /
 *    `jsonObjectSchema` — the same the HTTP boundary applies — used by the store's own zod schemas.
 * 2. JSON the system produced (agent run events, audit details): **stored losslessly** with `toJsonb` and read
 *    back with `fromJsonb`, whatever text the model or a tool put in it.
 * 3. Display and diagnostic text (run titles, error messages, progress notes): **escaped visibly** by
 *    `displayText` (`\u0000`), never refused, so recording a failure cannot fail.
 * Text extracted from files is made storable by `replaceUnstorable` (U+FFFD, one for one, so offsets hold).
 */

/**
 * Refuses a JSON value (route 1) that is not storable as `jsonb` within `limits`: a ValidationError naming the
 * offending paths. For values a schema did not already check (e.g. a connector's per-kind config).
 */
export function assertStorableJson(value: unknown, what: string, limits: JsonLimits = {}): void {
  const problems = jsonProblems(value, limits);
  if (problems.length > 0) throw validationErrorFromZod(what, problems);
}

/** Key of the wrapper `toJsonb` stores a value in when `jsonb` could not hold it directly. */
const WRAPPED = "$ragkit:json";
/** JSON.stringify writes NUL as `\u0000` and an unpaired surrogate as `\udXXX`: both refused by `jsonb`. */
const JSONB_REFUSES = /\\u0000|\\ud[89a-f][0-9a-f]{2}/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * JSON text for a `jsonb` parameter that holds `value` exactly. Values `jsonb` can hold are stored as they are
 * (queryable as usual); the rare one it cannot — NUL or unpaired surrogates in any string — is stored as its
 * own JSON text inside a one-key wrapper, so nothing is lost. A value that itself has the wrapper's key is
 * wrapped too, which keeps `fromJsonb` unambiguous.
 */
export function toJsonb(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new ValidationError("Invalid value: not representable as JSON.");
  const wrap = JSONB_REFUSES.test(text) || (isRecord(value) && Object.hasOwn(value, WRAPPED));
  return wrap ? JSON.stringify({ [WRAPPED]: text }) : text;
}

/** The value `toJsonb` stored (drivers hand `jsonb` back parsed, or as text). */
export function fromJsonb<T = unknown>(stored: unknown): T {
  const value: unknown = typeof stored === "string" ? JSON.parse(stored) : stored;
  if (isRecord(value) && typeof value[WRAPPED] === "string" && Object.keys(value).length === 1) {
    return JSON.parse(value[WRAPPED]) as T;
  }
  return value as T;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const escapeOf = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * Text for a display or diagnostic column (a run's title, an error message, a progress note): NUL and
 * unpaired surrogates become visible `\u0000`-style escapes, and the result is cut to `max` characters
 * without splitting a surrogate pair.
 */
export function displayText(value: string, max: number): string {
  const escaped = value.replace(UNSTORABLE, escapeOf);
  if (escaped.length <= max) return escaped;
  let end = max;
  const last = escaped.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return escaped.slice(0, end);
}

/** `displayText` for an optional value. */
export const displayTextOrNull = (value: string | null | undefined, max: number): string | null =>
  value === null || value === undefined ? null : displayText(value, max);

/**
 * Text extracted from a file, made storable: NUL and unpaired surrogates become U+FFFD, one UTF-16 unit for
 * one, so offsets into the text (pages, sections, chunks) stay valid.
 */
export function replaceUnstorable(text: string): string {
  return textProblem(text) === null ? text : text.replace(UNSTORABLE, "\uFFFD");
}

/** `replaceUnstorable` on every string and key of a JSON value (metadata a loader read from a file). */
export function replaceUnstorableJson<T>(value: T): T {
  if (typeof value === "string") return replaceUnstorable(value) as T;
  if (Array.isArray(value)) return value.map((v) => replaceUnstorableJson(v)) as T;
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [replaceUnstorable(k), replaceUnstorableJson(v)]),
    ) as T;
  }
  return value;
}

/**
 * A `bigint` id given as a string (an event or row id to page from): undefined when absent, a ValidationError
 * naming `field` when it is not one.
 */
export function int8IdParam(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const parsed = int8IdSchema.safeParse(value);
  if (!parsed.success) {
    throw validationErrorFromZod(
      "page options",
      parsed.error.issues.map((i) => ({ ...i, path: [field] })),
    );
  }
  return parsed.data;
}

import { z } from "zod";
import { textProblem } from "./text.js";

/**
 * Free-form JSON the API accepts (metadata, connector config, tool arguments, AG-UI state). Checked without
 * recursion, so no value — however deep — can overflow the stack of the checker, of `JSON.stringify` behind
 * it, or of Postgres' `jsonb` parser.
 */

/** The deepest nesting (objects and arrays) of any JSON request body, checked before the body is parsed. */
export const MAX_JSON_DEPTH = 64;

/** Limits of document metadata (per document and per chunk). */
export const MAX_METADATA_DEPTH = 16;
export const MAX_METADATA_BYTES = 64 * 1024;

export interface JsonProblem {
  path: Array<string | number>;
  message: string;
}

export interface JsonLimits {
  /** Deepest nesting of objects/arrays below the value itself (the value is level 1). */
  maxDepth?: number;
  /** Largest size of the value as JSON text, in UTF-8 bytes. */
  maxBytes?: number;
}

/**
 * Whether JSON text nests objects/arrays deeper than `maxDepth`. A linear scan that tracks only strings and
 * brackets: safe to run on any input before `JSON.parse` (it does not validate the JSON).
 */
export function jsonTextTooDeep(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * Everything about `value` that makes it unfit to store as JSON: strings or keys that are not storable text,
 * `__proto__` keys (they vanish or rewrite prototypes when copied), numbers JSON cannot carry (`1e400` parses
 * as Infinity), non-JSON values and nesting beyond `maxDepth`. Iterative; reports at most `max` problems.
 */
export function jsonProblems(value: unknown, limits: JsonLimits = {}, max = 10): JsonProblem[] {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  const problems: JsonProblem[] = [];
  const stack: Array<{ value: unknown; path: Array<string | number>; depth: number }> = [
    { value, path: [], depth: 0 },
  ];
  while (stack.length > 0 && problems.length < max) {
    const { value: v, path, depth } = stack.pop()!;
    if (v === null || typeof v === "boolean") continue;
    if (typeof v === "string") {
      const problem = textProblem(v);
      if (problem) problems.push({ path, message: problem });
      continue;
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) problems.push({ path, message: "must be a finite number" });
      continue;
    }
    if (typeof v !== "object" || (!Array.isArray(v) && !isPlainObject(v))) {
      problems.push({
        path,
        message: "must be a JSON value (string, number, boolean, null, array or object)",
      });
      continue;
    }
    if (depth + 1 > maxDepth) {
      // Reported once, for the value as a whole: the path down to the limit is noise.
      problems.push({ path: [], message: `is nested deeper than ${maxDepth} levels` });
      break;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], path: [...path, i], depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (key === "__proto__") {
        problems.push({ path, message: 'must not have a "__proto__" key' });
        continue;
      }
      const problem = textProblem(key);
      if (problem) {
        problems.push({ path, message: `keys ${problem}` });
        continue;
      }
      stack.push({ value: (v as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
    }
  }
  if (problems.length === 0 && limits.maxBytes !== undefined) {
    // Safe to serialise now: the depth is bounded.
    const bytes = new TextEncoder().encode(JSON.stringify(value)).byteLength;
    if (bytes > limits.maxBytes) {
      problems.push({ path: [], message: `must be at most ${limits.maxBytes} bytes as JSON (got ${bytes})` });
    }
  }
  return problems;
}

function refineJson(value: unknown, ctx: z.RefinementCtx, limits: JsonLimits): void {
  for (const p of jsonProblems(value, limits))
    ctx.addIssue({ code: "custom", path: p.path, message: p.message });
}

/** Any JSON value within `limits` (documented as "any" in OpenAPI). */
export function jsonValueSchema(limits: JsonLimits = {}) {
  return z.unknown().superRefine((value, ctx) => refineJson(value, ctx, limits));
}

/**
 * A JSON object within `limits`. Checks the value as given — zod's `record` copy would silently drop a
 * `__proto__` key — and returns it as is.
 */
export function jsonObjectSchema(limits: JsonLimits = {}) {
  return z
    .custom<Record<string, unknown>>(
      (v) => typeof v === "object" && v !== null && !Array.isArray(v),
      "must be a JSON object",
    )
    .superRefine((value, ctx) => refineJson(value, ctx, limits))
    .meta({ type: "object", additionalProperties: {} });
}

/** Document and chunk metadata: a JSON object of at most 16 levels and 64 KiB. */
export const metadataSchema = jsonObjectSchema({
  maxDepth: MAX_METADATA_DEPTH,
  maxBytes: MAX_METADATA_BYTES,
});

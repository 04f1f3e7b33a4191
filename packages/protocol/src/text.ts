import { z } from "zod";

/**
 * Text the API accepts. Postgres cannot store NUL (U+0000) in `text` or `jsonb`, and a string with an unpaired
 * UTF-16 surrogate is not Unicode at all (JSON.stringify escapes it as `\udXXX`, which `jsonb` refuses; UTF-8
 * encoders silently replace it). Both are refused at the boundary, with a message naming the field, instead
 * of failing (or being mangled) at the first write.
 */

export const textProblemMessages = {
  nul: "must not contain NUL characters (U+0000)",
  surrogate: "must not contain unpaired UTF-16 surrogates (not valid Unicode)",
} as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not storable text, or null when it is. */
export function textProblem(value: string): string | null {
  if (value.includes("\u0000")) return textProblemMessages.nul;
  if (LONE_SURROGATE.test(value)) return textProblemMessages.surrogate;
  return null;
}

/** Adds the storable-text check to a string schema (`z.string()`, `z.url()`, …), keeping its type. */
export function storableText<T extends z.ZodType<string>>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }) as T;
}

/**
 * The string schema of every text field of every request: refuses NUL and unpaired surrogates. Chain limits
 * as usual (`textSchema.min(1).max(200)`).
 */
export const textSchema = storableText(z.string());

/**
 * Module hooks for import-trace.mjs: records every module URL the child process resolves, one per line, in the
 * file named by RAGKIT_IMPORT_TRACE. Runs on Node's hooks thread, so it sees imports of ESM and CJS alike.
 */
import { appendFileSync } from "node:fs";

const out = process.env.RAGKIT_IMPORT_TRACE;

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (out) appendFileSync(out, `${result.url}\n`);
  return result;
}

import { errorBodySchema, textProblem } from "@ragkit/protocol";
import type { HostileCase } from "./corpus.js";

/**
 * What is wrong with the answer to one corpus case (empty: as expected): its status, the standard error body,
 * the code, the field named in `details`, the readable message, and no echo of the hostile characters.
 * Shared by the hostile-input regression test and the attack suite.
 */
export function corpusProblems(c: HostileCase, status: number, text: string): string[] {
  const problems: string[] = [];
  if (status !== c.expect.status) problems.push(`status ${status}, expected ${c.expect.status}`);
  if (status >= 300) {
    const body = errorBodySchema.safeParse(safeJson(text));
    if (!body.success) return [...problems, `not the standard error body: ${text.slice(0, 200)}`];
    const { code, message, details } = body.data.error;
    if (c.expect.code && code !== c.expect.code) problems.push(`code ${code}, expected ${c.expect.code}`);
    if (c.expect.path && !details?.some((d) => d.path === c.expect.path)) {
      problems.push(`no detail for ${c.expect.path}: ${message.slice(0, 300)}`);
    }
    if (c.expect.message && !c.expect.message.test(message))
      problems.push(`message ${JSON.stringify(message.slice(0, 300))}`);
    if (textProblem(message) !== null) problems.push("the message echoes the hostile characters");
  }
  return problems;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

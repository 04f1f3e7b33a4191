import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostileCase, type HostileRequest, hostileCases } from "./security/corpus.js";
import { corpusProblems } from "./security/corpus-judge.js";
import { type SecurityWorld, startSecurityWorld } from "./security/world.js";

/**
 * The hostile-input class (issue 12 part 3): every operation of the API, walked with the corpus against the
 * real handler over HTTP. Each request must get its expected 4xx with the standard error body and a message
 * that names the field, never a 5xx, and must write nothing (row counts of every table, and no error reported).
 */

let w: SecurityWorld;
const summary = new Map<string, { cases: number; fiveXx: number; wrong: number }>();

beforeAll(async () => {
  w = await startSecurityWorld();
});

afterAll(async () => {
  if (summary.size > 0) {
    const rows = [...summary].map(
      ([op, s]) =>
        `${op.padEnd(52)} ${String(s.cases).padStart(4)} ${String(s.fiveXx).padStart(4)} ${String(s.wrong).padStart(4)}`,
    );
    const total = [...summary.values()].reduce(
      (t, s) => ({ cases: t.cases + s.cases, fiveXx: t.fiveXx + s.fiveXx, wrong: t.wrong + s.wrong }),
      { cases: 0, fiveXx: 0, wrong: 0 },
    );
    console.log(
      [
        `${"operation".padEnd(52)} case  5xx  bad`,
        ...rows,
        `${total.cases} attempts, ${total.cases - total.wrong} answered as expected, ${total.fiveXx} 5xx`,
      ].join("\n"),
    );
  }
  await w?.close();
});

async function send(r: HostileRequest): Promise<Response> {
  const headers = new Headers(r.headers);
  if (!r.anonymous && !headers.has("authorization")) headers.set("authorization", `Bearer ${w.tokenA}`);
  if (r.body !== undefined && !(r.body instanceof FormData) && !headers.has("content-type")) {
    headers.set("content-type", "application/json");
  }
  return fetch(`${w.served.url}${w.handler.basePath}${r.path}`, {
    method: r.method,
    headers,
    ...(r.body === undefined ? {} : { body: r.body }),
    signal: AbortSignal.timeout(30_000),
  });
}

const byOperation = new Map<string, HostileCase[]>();
for (const c of hostileCases) byOperation.set(c.operation, [...(byOperation.get(c.operation) ?? []), c]);

describe("hostile input: every route answers 4xx with a readable message and writes nothing", () => {
  it("the corpus covers every operation of the OpenAPI document", async () => {
    const doc = (await (await fetch(`${w.served.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((op) => !byOperation.has(op))).toEqual([]);
    expect([...byOperation.keys()].filter((op) => !operations.includes(op))).toEqual([]);
  });

  it.each([...byOperation.keys()])("%s", async (operation) => {
    const failures: string[] = [];
    const stats = { cases: 0, fiveXx: 0, wrong: 0 };
    for (const c of byOperation.get(operation)!) {
      const before = await w.rowCounts();
      const errorsBefore = w.errors.length;
      const res = await send(c.request(w.fixtures));
      const problems = corpusProblems(c, res.status, await res.text());
      const after = await w.rowCounts();
      const written = Object.keys(after).filter((t) => after[t] !== before[t]);
      if (written.length > 0) problems.push(`wrote to ${written.join(", ")}`);
      if (w.errors.length > errorsBefore) {
        problems.push(
          `reported ${w.errors
            .slice(errorsBefore)
            .map((e) => String(e).slice(0, 200))
            .join(" | ")}`,
        );
      }
      stats.cases++;
      if (res.status >= 500) stats.fiveXx++;
      if (problems.length > 0) {
        stats.wrong++;
        failures.push(`${c.name}: ${problems.join("; ")}`);
      }
    }
    summary.set(operation, stats);
    expect(failures).toEqual([]);
  });
});

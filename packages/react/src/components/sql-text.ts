/** Clauses that start a new line when a query is shown to a person (display only; the query is not changed). */
const CLAUSES =
  /\s+(?=(?:SELECT|FROM|WHERE|GROUP BY|ORDER BY|HAVING|LIMIT|OFFSET|UNION(?: ALL)?|(?:LEFT |RIGHT |INNER |FULL |CROSS )?JOIN|WITH)\b)/gi;

/** One clause per line, whitespace collapsed: what an approver reads before running a query. */
export function formatSql(sql: string): string {
  return sql.replace(/\s+/g, " ").trim().replace(CLAUSES, "\n");
}

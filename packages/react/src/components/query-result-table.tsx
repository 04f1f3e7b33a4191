import { z } from "zod";
import { ThemeScope } from "../styles/theme.js";
import { formatValue } from "./format.js";
import { formatSql } from "./sql-text.js";

const resultSchema = z.object({
  rows: z.array(z.record(z.string(), z.unknown())),
  rowCount: z.number().optional(),
  truncated: z.boolean().optional(),
});

/** Rows shown before "… N more". */
const MAX_ROWS = 20;

/**
 * A `query_database` tool call: the SQL and (once done) its rows, folded by default. The answer's chart and text
 * carry the result; the rows are there for whoever wants to check them, not repeated at full length in the chat.
 */
export function QueryResultTable({ sql, result }: { sql: string | null; result: unknown }) {
  const parsed = result === undefined ? null : resultSchema.safeParse(result);
  const rows = parsed?.success ? parsed.data.rows : [];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <ThemeScope>
      <div className="rk-card" data-query-result="">
        {result === undefined ? <p className="rk-muted">Running the query…</p> : null}
        {parsed && !parsed.success ? <p className="rk-muted">{formatValue(result)}</p> : null}
        <details>
          <summary className="rk-muted">
            {parsed?.success ? `Query and its ${rows.length} row${rows.length === 1 ? "" : "s"}` : "Query"}
          </summary>
          {sql ? <pre className="rk-args rk-sql">{formatSql(sql)}</pre> : null}
          {rows.length > 0 ? (
            <div className="rk-scroll-x">
              <table className="rk-table">
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th key={c} scope="col">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(0, MAX_ROWS).map((row, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: query rows have no identity
                    <tr key={i}>
                      {columns.map((c) => (
                        <td key={c}>{formatValue(row[c])}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {rows.length > MAX_ROWS ? <p className="rk-muted">… {rows.length - MAX_ROWS} more rows</p> : null}
        </details>
      </div>
    </ThemeScope>
  );
}

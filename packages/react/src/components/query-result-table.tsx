import { z } from "zod";

const resultSchema = z.object({
  rows: z.array(z.record(z.string(), z.unknown())),
  rowCount: z.number().optional(),
  truncated: z.boolean().optional(),
});

/** Rows shown before "… N more". */
const MAX_ROWS = 20;

function text(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A `query_database` tool call: the SQL and (once done) the first rows. */
export function QueryResultTable({ sql, result }: { sql: string | null; result: unknown }) {
  const parsed = result === undefined ? null : resultSchema.safeParse(result);
  const rows = parsed?.success ? parsed.data.rows : [];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <div className="rk-root">
      <div className="rk-card">
        {sql ? <pre className="rk-args">{sql}</pre> : null}
        {result === undefined ? <p className="rk-muted">Running the query…</p> : null}
        {parsed && !parsed.success ? <p className="rk-muted">{text(result)}</p> : null}
        {rows.length > 0 ? (
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
                    <td key={c}>{text(row[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {rows.length > MAX_ROWS ? <p className="rk-muted">… {rows.length - MAX_ROWS} more rows</p> : null}
      </div>
    </div>
  );
}

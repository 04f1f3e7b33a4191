/**
 * Offline, rule-based NL→SQL for common aggregate questions over `sales_view` (month, region, product, units,
 * revenue). It understands a metric (revenue/sales or units), an aggregate (total — the default — or
 * average), grouping by region, product and/or month, a calendar-year filter ("in 2025"), and top/bottom-N
 * ranking. Anything else returns `sql: null` with a reason: such questions need a model (whose SQL then goes
 * through validateSelect like any other).
 */

export type NlToSqlResult = { sql: string; description: string } | { sql: null; reason: string };

type Dimension = "month" | "region" | "product";

const NEEDS_MODEL =
  "needs a model: the offline translator only understands aggregate questions about sales_view " +
  '(e.g. "total revenue by region", "monthly sales by region", "units sold per product in 2025", ' +
  '"top region by revenue", "average revenue per month")';

/** Words that ask for something beyond grouping, filtering by year and ranking. */
const UNSUPPORTED =
  /\b(why|predict|forecast|growth|grow|change|compare|compared|versus|vs|trend|percent|percentage|share|ratio|correlat\w*|median|except|without|between|last|previous|next|week|quarter|day|daily|delete|update|insert|drop)\b/;

export function nlToSql(question: string): NlToSqlResult {
  const q = ` ${question
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, " ")
    .replace(/\s+/g, " ")} `;
  if (q.trim() === "") return { sql: null, reason: `Empty question; ${NEEDS_MODEL}.` };
  const unsupported = UNSUPPORTED.exec(q);
  if (unsupported)
    return { sql: null, reason: `"${unsupported[0]}" is not understood offline; ${NEEDS_MODEL}.` };

  const metric = /\b(units?|quantity|quantities|volume)\b/.test(q)
    ? "units"
    : /\b(revenue|sales|income|turnover|earnings)\b/.test(q)
      ? "revenue"
      : null;
  if (!metric)
    return { sql: null, reason: `No known measure (revenue or units) in the question; ${NEEDS_MODEL}.` };

  const average = /\b(average|avg|mean)\b/.test(q);
  const dims: Dimension[] = [];
  const perMonth = /\b(monthly|per month|by month|each month|every month|month by month|a month)\b/.test(q);
  if (perMonth && !average) dims.push("month");
  if (/\bregions?\b/.test(q)) dims.push("region");
  if (/\bproducts?\b/.test(q)) dims.push("product");

  const yearMatch = /\b(19|20)\d{2}\b/.exec(q);
  const year = yearMatch ? Number(yearMatch[0]) : null;
  if ((q.match(/\b(19|20)\d{2}\b/g) ?? []).length > 1) {
    return { sql: null, reason: `Several years in one question are not understood offline; ${NEEDS_MODEL}.` };
  }

  const top = /\b(top|best|highest|most|largest|biggest)\b(?:\s+(\d{1,3})\b)?/.exec(q);
  const bottom = /\b(bottom|worst|lowest|least|smallest)\b(?:\s+(\d{1,3})\b)?/.exec(q);
  const rank = top ?? bottom;
  const rankLimit = rank ? Number(rank[2] ?? 1) : null;
  if (rank && !average && dims.length === 0 && /\bmonths?\b/.test(q)) dims.push("month");
  if (rank && dims.length !== 1) {
    return { sql: null, reason: `Ranking needs exactly one of region, product or month; ${NEEDS_MODEL}.` };
  }

  const where =
    year === null ? "" : ` WHERE month >= DATE '${year}-01-01' AND month < DATE '${year + 1}-01-01'`;
  const yearText = year === null ? "" : ` in ${year}`;
  const groupList = dims.join(", ");
  const measure = average ? `average_${metric}` : `total_${metric}`;
  let sql: string;
  let description: string;

  if (average && perMonth) {
    // Average of the monthly totals (per group, if grouped).
    const inner = ["month", ...dims].join(", ");
    const outerGroup = dims.length ? ` GROUP BY ${groupList}` : "";
    sql =
      `SELECT ${dims.length ? `${groupList}, ` : ""}round(avg(monthly_${metric}), 2) AS average_monthly_${metric} ` +
      `FROM (SELECT ${inner}, sum(${metric}) AS monthly_${metric} FROM sales_view${where} GROUP BY ${inner}) m` +
      `${outerGroup}`;
    description = `Average monthly ${metric}${dims.length ? ` per ${groupList}` : ""}${yearText} (mean of the monthly totals).`;
    if (rank) {
      sql += ` ORDER BY average_monthly_${metric} ${top ? "DESC" : "ASC"} LIMIT ${rankLimit}`;
    } else if (dims.length) {
      sql += ` ORDER BY ${groupList}`;
    }
    return { sql, description };
  }

  const agg = average ? `round(avg(${metric}), 2)` : `sum(${metric})`;
  if (dims.length === 0) {
    sql = `SELECT ${agg} AS ${measure} FROM sales_view${where}`;
    description = `${average ? "Average" : "Total"} ${metric}${yearText}.`;
    return { sql, description };
  }
  sql = `SELECT ${groupList}, ${agg} AS ${measure} FROM sales_view${where} GROUP BY ${groupList}`;
  if (rank) {
    sql += ` ORDER BY ${measure} ${top ? "DESC" : "ASC"}, ${groupList} LIMIT ${rankLimit}`;
    description = `${top ? "Top" : "Bottom"} ${rankLimit} ${groupList} by ${average ? "average" : "total"} ${metric}${yearText}.`;
  } else {
    sql += ` ORDER BY ${groupList}`;
    description = `${average ? "Average" : "Total"} ${metric} by ${dims.join(" and ")}${yearText}.`;
  }
  return { sql, description };
}

import type { Dataset, DatasetColumn } from "./datasets/spec.js";

/**
 * Offline, rule-based NL→SQL for common aggregate questions over any registered dataset, from what its
 * registration declares: `measure` columns (summed or averaged; "how many <rows>" counts rows), `dimension`
 * columns (grouped by, also through a declared relationship: one join to the referenced dataset), and a `time`
 * column (grouped by month or year, filtered by a calendar year). It also ranks (top/bottom N). Anything else
 * returns `sql: null` with a reason saying the question needs a model (whose SQL then goes through
 * validateSelect like any other).
 */

export type NlToSqlResult =
  | { sql: string; description: string; dataset: string }
  | { sql: null; reason: string };

const NEEDS_MODEL =
  "needs a model: the offline translator only understands aggregate questions over the registered datasets' " +
  'measures and dimensions (e.g. "total revenue by region", "monthly sales by region", "top 3 products by ' +
  'units in 2025", "average revenue per month", "how many orders per segment")';

/** Words that ask for something beyond grouping, filtering by year and ranking. */
const UNSUPPORTED =
  /\b(why|predict|forecast|growth|grow|change|compare|compared|versus|vs|trend|percent|percentage|share|ratio|correlat\w*|median|except|without|between|last|previous|next|week|quarter|day|daily|delete|update|insert|drop|where|whose|only|more than|less than|over|under|above|below)\b/;

const PER_MONTH = /\b(monthly|per month|by month|each month|every month|month by month|a month)\b/;
const PER_YEAR = /\b(yearly|annual|annually|per year|by year|each year|a year)\b/;
const COUNT = /\b(how many|number of|count of|count)\b/;

/**
 * Every word the translator understands besides the datasets' own names: a word outside both (a value such as
 * "shipped", a month name, "distinct", "never") would be silently ignored, so it makes the question one for a model.
 */
const VOCABULARY = new Set(
  (
    "a all an and any are as at be by can chart count data did do does draw each every for from get give graph " +
    "had has have how i in is it line bar pie area scatter me many month monthly months my number of on our " +
    "overall per please plot show sold tell the there to total totals us visualize visualise we what whats " +
    "which year yearly years annual annually average avg mean sum top bottom best worst highest lowest most " +
    "least largest biggest smallest fewest rank ranked ranking sorted list value values by"
  ).split(" "),
);

/** The first word of `q` that neither the vocabulary nor any dataset explains, or null. */
function unknownWord(q: string, datasets: readonly Dataset[]): string | null {
  const known = datasets
    .flatMap((d) => [
      ...phrases(d.name, d.synonyms),
      ...d.columns.flatMap((c) => phrases(c.name, c.synonyms)),
    ])
    .sort((x, y) => y.length - x.length);
  let rest = q;
  for (const p of known) rest = rest.split(` ${p} `).join("  ");
  for (const word of rest.split(" ")) {
    if (word && !VOCABULARY.has(word) && !/^\d+$/.test(word)) return word;
  }
  return null;
}

/** " word " forms a column or dataset is known by: its name (underscores as spaces), synonyms, plurals. */
function phrases(name: string, synonyms: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of [name, name.replaceAll("_", " "), ...synonyms]) {
    const w = raw.toLowerCase().trim();
    if (!w) continue;
    out.add(w);
    out.add(w.endsWith("s") ? w.slice(0, -1) : `${w}s`);
    if (w.endsWith("s")) out.add(`${w}es`);
    if (w.endsWith("y")) out.add(`${w.slice(0, -1)}ies`);
  }
  return [...out];
}

/** Where in `q` (padded with spaces) one of the phrases occurs, or -1. Exact names rank before synonyms. */
function find(q: string, name: string, synonyms: readonly string[]): { at: number; exact: boolean } | null {
  let best: { at: number; exact: boolean } | null = null;
  const own = new Set(phrases(name, []));
  for (const p of phrases(name, synonyms)) {
    const at = q.indexOf(` ${p} `);
    if (at < 0) continue;
    const exact = own.has(p);
    if (!best || (exact && !best.exact) || (exact === best.exact && at < best.at)) best = { at, exact };
  }
  return best;
}

interface Dim {
  dataset: Dataset;
  column: DatasetColumn;
  /** Alias of its dataset in FROM ("b" for the base, "j" for the joined one). */
  alias: string;
}

function fail(reason: string): NlToSqlResult {
  return { sql: null, reason: `${reason}; ${NEEDS_MODEL}.` };
}

export function nlToSql(question: string, datasets: readonly Dataset[]): NlToSqlResult {
  const q = ` ${question
    .toLowerCase()
    .replace(/[^a-z0-9\s_-]/g, " ")
    .replace(/\s+/g, " ")
    .trim()} `;
  if (q.trim() === "") return fail("Empty question");
  if (datasets.length === 0) return fail("No dataset is registered");
  const unsupported = UNSUPPORTED.exec(q);
  if (unsupported) return fail(`"${unsupported[0]}" is not understood offline`);
  const unknown = unknownWord(q.replaceAll("'s ", " ").replace(/\bwhat s\b/g, "what"), datasets);
  if (unknown) return fail(`"${unknown}" is not understood offline`);

  // The measure: a measure column named in the question, else "how many <rows of a dataset>".
  let base: Dataset | null = null;
  let measure: DatasetColumn | null = null;
  let best: { at: number; exact: boolean } | null = null;
  for (const d of datasets) {
    for (const c of d.columns) {
      if (c.role !== "measure") continue;
      const hit = find(q, c.name, c.synonyms);
      if (hit && (!best || (hit.exact && !best.exact) || (hit.exact === best.exact && hit.at < best.at))) {
        best = hit;
        base = d;
        measure = c;
      }
    }
  }
  if (!base && COUNT.test(q)) {
    base = datasets.find((d) => find(q, d.name, d.synonyms) !== null) ?? null;
  }
  if (!base) {
    const known = datasets.flatMap((d) => d.columns.filter((c) => c.role === "measure").map((c) => c.name));
    return fail(
      `No known measure${known.length ? ` (${[...new Set(known)].join(", ")})` : ""} in the question`,
    );
  }

  // Dimensions of the base dataset, then of the datasets it references (one join).
  const related = base.relationships
    .map((r) => ({ r, target: datasets.find((d) => d.name === r.references.dataset) }))
    .filter((x): x is { r: (typeof base.relationships)[number]; target: Dataset } => x.target !== undefined);
  const dims: Dim[] = [];
  const claimed = new Set<string>();
  const consider = (dataset: Dataset, alias: string) => {
    for (const c of dataset.columns) {
      if (c.role !== "dimension" || claimed.has(c.name)) continue;
      const hit = find(q, c.name, c.synonyms);
      if (hit) {
        dims.push({ dataset, column: c, alias });
        claimed.add(c.name);
      }
    }
  };
  consider(base, "b");
  let join: { r: (typeof related)[number]["r"]; target: Dataset } | null = null;
  for (const x of related) {
    const before = dims.length;
    consider(x.target, "j");
    if (dims.length > before) {
      if (join) return fail("Dimensions from two related datasets are not understood offline");
      join = x;
    }
  }
  dims.sort(
    (x, y) =>
      (find(q, x.column.name, x.column.synonyms)?.at ?? 0) -
      (find(q, y.column.name, y.column.synonyms)?.at ?? 0),
  );

  const time = base.columns.find((c) => c.role === "time") ?? null;
  const average = /\b(average|avg|mean)\b/.test(q);
  const perMonth = PER_MONTH.test(q);
  const perYear = !perMonth && PER_YEAR.test(q);
  const years = q.match(/\b(19|20)\d{2}\b/g) ?? [];
  if (years.length > 1) return fail("Several years in one question are not understood offline");
  const year = years.length ? Number(years[0]) : null;
  if ((perMonth || perYear || year !== null) && !time) {
    return fail(`${base.name} has no time column to group or filter by`);
  }

  const top = /\b(top|best|highest|most|largest|biggest)\b(?:\s+(\d{1,3})\b)?/.exec(q);
  const bottom = /\b(bottom|worst|lowest|least|smallest|fewest)\b(?:\s+(\d{1,3})\b)?/.exec(q);
  const rank = top ?? bottom;
  const rankLimit = rank ? Number(rank[2] ?? 1) : null;

  const prefix = join ? "b." : "";
  const col = (alias: string, name: string) => (join ? `${alias}.${name}` : name);
  const timeCol = time ? col("b", time.name) : "";
  // Group expressions in SELECT order; GROUP BY / ORDER BY use their positions (an alias may shadow a column).
  const groups: Array<{ expr: string; name: string }> = [];
  const bucket = perMonth
    ? { expr: `date_trunc('month', ${timeCol})::date`, name: "month" }
    : perYear
      ? { expr: `date_part('year', ${timeCol})::int`, name: "year" }
      : null;
  if (bucket && !average) groups.push(bucket);
  for (const d of dims) groups.push({ expr: col(d.alias, d.column.name), name: d.column.name });
  if (rank && !average && groups.length === 0 && time && /\bmonths?\b/.test(q)) {
    groups.push({ expr: `date_trunc('month', ${timeCol})::date`, name: "month" });
  }
  if (rank && groups.length !== 1) {
    return fail("Ranking needs exactly one dimension to rank");
  }

  const metricName = measure ? measure.name : `${base.name}`;
  const metric = measure ? `sum(${prefix}${measure.name})` : "count(*)";
  const what = measure ? measure.name.replaceAll("_", " ") : `number of ${base.name.replaceAll("_", " ")}`;
  const from =
    `FROM ${base.name}${join ? ` b JOIN ${join.target.name} j ON b.${join.r.column} = j.${join.r.references.column}` : ""}` +
    (year === null
      ? ""
      : ` WHERE ${timeCol} >= DATE '${year}-01-01' AND ${timeCol} < DATE '${year + 1}-01-01'`);
  const yearText = year === null ? "" : ` in ${year}`;
  const positions = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => i + 1 + offset).join(", ");
  const select = (gs: typeof groups) =>
    gs.map((g) => (g.expr === g.name ? g.name : `${g.expr} AS ${g.name}`));
  const groupText = groups.map((g) => g.name).join(" and ");

  if (average && bucket) {
    // The mean of the per-bucket totals (per group, if grouped).
    const inner = [bucket, ...groups];
    const alias = `${bucket.name}ly_${metricName}`;
    const out = `average_${alias}`;
    const outerGroups = groups.map((g) => g.name);
    let sql =
      `SELECT ${outerGroups.length ? `${outerGroups.join(", ")}, ` : ""}round(avg(${alias}), 2) AS ${out} ` +
      `FROM (SELECT ${[...select(inner), `${metric} AS ${alias}`].join(", ")} ${from} GROUP BY ${positions(inner.length)}) m` +
      (outerGroups.length ? ` GROUP BY ${positions(outerGroups.length)}` : "");
    if (rank) sql += ` ORDER BY ${out} ${top ? "DESC" : "ASC"} LIMIT ${rankLimit}`;
    else if (outerGroups.length) sql += ` ORDER BY ${positions(outerGroups.length)}`;
    return {
      sql,
      dataset: base.name,
      description: `Average ${bucket.name}ly ${what}${groupText ? ` per ${groupText}` : ""}${yearText} (mean of the ${bucket.name}ly totals).`,
    };
  }

  const aggregate = average ? (measure ? `round(avg(${prefix}${measure.name}), 2)` : null) : metric;
  if (aggregate === null) return fail("An average count needs a period (per month or per year)");
  const out = `${average ? "average" : measure ? "total" : "number_of"}_${metricName}`;
  if (groups.length === 0) {
    return {
      sql: `SELECT ${aggregate} AS ${out} ${from}`,
      dataset: base.name,
      description: `${average ? "Average" : measure ? "Total" : "Number of"} ${measure ? what : base.name.replaceAll("_", " ")}${yearText}.`,
    };
  }
  let sql = `SELECT ${[...select(groups), `${aggregate} AS ${out}`].join(", ")} ${from} GROUP BY ${positions(groups.length)}`;
  let description: string;
  if (rank) {
    sql += ` ORDER BY ${out} ${top ? "DESC" : "ASC"}, 1 LIMIT ${rankLimit}`;
    description = `${top ? "Top" : "Bottom"} ${rankLimit} ${groupText} by ${average ? "average " : ""}${what}${yearText}.`;
  } else {
    sql += ` ORDER BY ${positions(groups.length)}`;
    description = `${average ? "Average" : measure ? "Total" : "Number of"} ${measure ? what : base.name.replaceAll("_", " ")} by ${groupText}${yearText}.`;
  }
  return { sql, dataset: base.name, description };
}

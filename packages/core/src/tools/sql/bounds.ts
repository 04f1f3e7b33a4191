import { ValidationError } from "../../errors/index.js";
import { isCartesianProduct, JOIN_NODES, joinedInputs, type PlanNode, planNodes } from "./plan.js";

/** Rows each base relation holds for the tenant (`schema.relation` → rows), from the bare views' plans. */
export type RelationRows = ReadonlyMap<string, number>;

/**
 * Cost bounds checked on the plan before a query runs. They are what bounds a query on the embedded default:
 * PGlite runs each statement to completion on the Node main thread and cannot be interrupted, so a query is
 * refused before it starts when the planner expects it to be expensive (see docs/sql-tool.md for the defaults).
 */
export interface SqlCostLimits {
  /** Highest planner cost (`Total Cost`) of any plan node. Default 100,000 (well under a second on PGlite). */
  maxCost?: number;
  /** Most rows the planner expects any step of the plan to produce. Default 1,000,000. */
  maxEstimatedRows?: number;
  /** Most inputs one join may combine, after Postgres flattened sub-selects into it. Default 4. */
  maxJoinedRelations?: number;
  /** Cartesian products (joins without any condition) of multi-row inputs. Default 1. */
  maxCrossJoins?: number;
}

export type ResolvedCostLimits = Required<SqlCostLimits>;

export const DEFAULT_COST_LIMITS: ResolvedCostLimits = {
  maxCost: 100_000,
  maxEstimatedRows: 1_000_000,
  maxJoinedRelations: 4,
  maxCrossJoins: 1,
};

export function resolveCostLimits(limits: SqlCostLimits = {}): ResolvedCostLimits {
  const out = { ...DEFAULT_COST_LIMITS };
  for (const key of Object.keys(DEFAULT_COST_LIMITS) as (keyof SqlCostLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < (key === "maxCrossJoins" ? 0 : 1)) {
      throw new ValidationError(
        `${key} must be a finite number of at least ${key === "maxCrossJoins" ? 0 : 1}.`,
      );
    }
    out[key] = value;
  }
  return out;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function refuse(code: string, message: string): never {
  throw new ValidationError(`Query refused before running: ${message}`, {
    details: [{ path: "sql", message: code }],
  });
}

const SINGLE_INPUT = new Set([
  "Hash",
  "Materialize",
  "Memoize",
  "Sort",
  "Incremental Sort",
  "Limit",
  "Unique",
  "Gather",
  "Gather Merge",
  "WindowAgg",
  "Group",
  "SetOp",
  "Subquery Scan",
  "Result",
  "Aggregate",
]);

/**
 * An upper bound on the rows a plan node can produce that does not trust the planner's selectivity guesses. A
 * filter the planner cannot estimate from statistics (`t0.units + t1.units > -1`) gets a default selectivity
 * (1/3 for an inequality), so chaining a few makes any cross join look cheap while it filters nothing. Here a
 * scan counts every row of the tenant's relation, a nested loop counts every pair it evaluates, and a hash or
 * merge join keeps the planner's join selectivity (an equality on columns, estimated from statistics) but not the
 * filters its inputs were credited with; one with an extra join filter counts every pair.
 */
export function worstCaseRows(root: PlanNode, relationRows: RelationRows): Map<PlanNode, number> {
  const bound = new Map<PlanNode, number>();
  const ctes = new Map<string, PlanNode>();
  for (const n of planNodes(root)) {
    const name = n["Subplan Name"];
    if (typeof name === "string" && name.startsWith("CTE ")) ctes.set(name.slice(4), n);
  }
  const visit = (n: PlanNode): number => {
    const known = bound.get(n);
    if (known !== undefined) return known;
    const children = n.Plans ?? [];
    const inputs = children.filter(
      (c) => c["Parent Relationship"] === "Outer" || c["Parent Relationship"] === "Inner",
    );
    const others = children.filter((c) => !inputs.includes(c));
    for (const c of others) visit(c);
    const rows = n["Plan Rows"];
    const type = n["Node Type"];
    let u: number;
    if (n["Relation Name"] !== undefined) {
      u = Math.max(rows, relationRows.get(`${n.Schema}.${n["Relation Name"]}`) ?? rows);
    } else if (
      type === "Nested Loop" ||
      ((type === "Hash Join" || type === "Merge Join") && n["Join Filter"] !== undefined)
    ) {
      u = inputs.reduce((p, c) => p * visit(c), 1);
    } else if (type === "Hash Join" || type === "Merge Join") {
      const all = inputs.reduce((p, c) => p * visit(c), 1);
      const credited = inputs.reduce((p, c) => p * (visit(c) / Math.max(1, c["Plan Rows"])), 1);
      u = Math.min(all, rows * credited);
    } else if (type === "Aggregate" && n["Group Key"] === undefined && n["Grouping Sets"] === undefined) {
      for (const c of inputs) visit(c);
      u = 1;
    } else if (type === "CTE Scan" && typeof n["CTE Name"] === "string" && ctes.has(n["CTE Name"])) {
      u = Math.max(rows, visit(ctes.get(n["CTE Name"])!));
    } else if (type === "Append" || type === "Merge Append") {
      u = children.reduce((sum, c) => sum + visit(c), 0);
    } else if (SINGLE_INPUT.has(type) && inputs.length > 0) {
      u = Math.max(...inputs.map(visit));
    } else {
      u = Math.max(rows, ...inputs.map(visit));
    }
    // A correlated sub-plan runs once per row of the node that evaluates it.
    for (const c of others) {
      if (c["Parent Relationship"] === "SubPlan")
        u = Math.max(u, Math.max(1, ...inputs.map(visit)) * visit(c));
    }
    bound.set(n, u);
    return u;
  };
  visit(root);
  return bound;
}

/** Throws a ValidationError (`invalid_input`, details code `cost_limit` etc.) for a plan over the limits. */
export function checkCostBounds(
  root: PlanNode,
  limits: ResolvedCostLimits,
  relationRows: RelationRows,
): void {
  const nodes = planNodes(root);
  const crossJoins = nodes.filter(isCartesianProduct).length;
  if (crossJoins > limits.maxCrossJoins) {
    refuse(
      "cross_join_limit",
      `it combines ${crossJoins} inputs without any join condition (at most ${limits.maxCrossJoins} allowed). ` +
        "Join on a column (… JOIN … ON a.month = b.month) or aggregate first.",
    );
  }
  const joined = Math.max(1, ...nodes.filter((n) => JOIN_NODES.has(n["Node Type"])).map(joinedInputs));
  if (joined > limits.maxJoinedRelations) {
    refuse(
      "join_limit",
      `it joins ${joined} relations in one join (at most ${limits.maxJoinedRelations} allowed).`,
    );
  }
  const estimated = Math.max(...nodes.map((n) => n["Plan Rows"]));
  const worst = Math.max(...worstCaseRows(root, relationRows).values());
  const rows = Math.max(estimated, worst);
  if (rows > limits.maxEstimatedRows) {
    refuse(
      "rows_limit",
      `a step of it can produce ${fmt(rows)} rows (at most ${fmt(limits.maxEstimatedRows)} allowed). ` +
        "Join on columns (a.month = b.month), filter on columns, or aggregate before joining.",
    );
  }
  const cost = Math.max(...nodes.map((n) => n["Total Cost"]));
  if (cost > limits.maxCost) {
    refuse(
      "cost_limit",
      `its estimated cost is ${fmt(cost)} (at most ${fmt(limits.maxCost)} allowed). ` +
        "Add filters or join conditions, or aggregate before joining.",
    );
  }
}

import { ValidationError } from "../../errors/index.js";
import { isCartesianProduct, JOIN_NODES, joinedInputs, type PlanNode, planNodes } from "./plan.js";

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

/** Throws a ValidationError (`invalid_input`, details code `cost_limit` etc.) for a plan over the limits. */
export function checkCostBounds(root: PlanNode, limits: ResolvedCostLimits): void {
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
  const rows = Math.max(...nodes.map((n) => n["Plan Rows"]));
  if (rows > limits.maxEstimatedRows) {
    refuse(
      "rows_limit",
      `the database expects a step to produce ${fmt(rows)} rows (at most ${fmt(limits.maxEstimatedRows)} allowed). ` +
        "Add filters or join conditions, or aggregate before joining.",
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

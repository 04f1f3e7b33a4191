import { z } from "zod";

/**
 * The plan Postgres reports for a statement (`EXPLAIN (VERBOSE, FORMAT JSON)`), reduced to what the fence and
 * the cost bounds read. Unknown keys are kept (passthrough): the fence scans every expression Postgres prints.
 */
export interface PlanNode {
  "Node Type": string;
  "Parent Relationship"?: string;
  "Relation Name"?: string;
  Schema?: string;
  "Total Cost": number;
  "Plan Rows": number;
  "Join Filter"?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

const planNodeSchema: z.ZodType<PlanNode> = z.lazy(() =>
  z.looseObject({
    "Node Type": z.string(),
    "Total Cost": z.number(),
    "Plan Rows": z.number(),
    Plans: z.array(planNodeSchema).optional(),
  }),
) as z.ZodType<PlanNode>;

const explainSchema = z.array(z.looseObject({ Plan: planNodeSchema })).length(1);

/** The root plan node of an `EXPLAIN (FORMAT JSON)` row (pg returns parsed JSON, PGlite too; text is parsed). */
export function rootPlan(rows: ReadonlyArray<Record<string, unknown>>): PlanNode {
  let value = rows[0]?.["QUERY PLAN"];
  if (typeof value === "string") value = JSON.parse(value);
  return explainSchema.parse(value)[0]!.Plan;
}

/** Every node of the plan, depth first (init plans and sub plans included: they are children too). */
export function planNodes(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    for (const child of node.Plans ?? []) stack.push(child);
  }
  return out;
}

export const JOIN_NODES: ReadonlySet<string> = new Set(["Nested Loop", "Hash Join", "Merge Join"]);
/** Nodes that pass their input through (a join's input may sit under them). */
const PASS_THROUGH: ReadonlySet<string> = new Set([
  "Hash",
  "Materialize",
  "Memoize",
  "Sort",
  "Incremental Sort",
  "Gather",
  "Gather Merge",
]);

const joinInputs = (node: PlanNode) =>
  (node.Plans ?? []).filter(
    (p) => p["Parent Relationship"] === "Outer" || p["Parent Relationship"] === "Inner",
  );

function throughPassThrough(node: PlanNode): PlanNode {
  let n = node;
  while (PASS_THROUGH.has(n["Node Type"]) && n.Plans?.length === 1) n = n.Plans[0]!;
  return n;
}

/** How many inputs the join tree rooted at `node` combines (1 for a non-join). */
export function joinedInputs(node: PlanNode): number {
  const n = throughPassThrough(node);
  if (!JOIN_NODES.has(n["Node Type"])) return 1;
  return joinInputs(n).reduce((sum, child) => sum + joinedInputs(child), 0);
}

/** Every string Postgres printed in a subtree (expressions, keys, names). */
function printed(node: PlanNode): string[] {
  const out: string[] = [];
  for (const n of planNodes(node)) {
    for (const [key, value] of Object.entries(n)) {
      if (key === "Plans") continue;
      if (typeof value === "string") out.push(value);
      else if (Array.isArray(value)) out.push(...value.filter((v): v is string => typeof v === "string"));
    }
  }
  return out;
}

/**
 * A nested loop without any join condition between two inputs of more than one row: a Cartesian product. The
 * condition may sit in the nested loop (`Join Filter`) or inside its inner side, parameterised by the outer row
 * (an index condition or filter naming an outer alias); either makes it a real join.
 */
export function isCartesianProduct(node: PlanNode): boolean {
  if (node["Node Type"] !== "Nested Loop" || node["Join Filter"] !== undefined) return false;
  const [outer, inner] = joinInputs(node);
  if (!outer || !inner || outer["Plan Rows"] <= 1 || inner["Plan Rows"] <= 1) return false;
  const aliases = planNodes(outer).flatMap((n) => (typeof n.Alias === "string" ? [n.Alias] : []));
  const innerText = printed(inner);
  const literal = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const mentions = aliases.map(
    (alias) => new RegExp(`(^|[^A-Za-z0-9_$"])(${literal(alias)}|${literal(JSON.stringify(alias))})\\.`),
  );
  return !mentions.some((re) => innerText.some((text) => re.test(text)));
}

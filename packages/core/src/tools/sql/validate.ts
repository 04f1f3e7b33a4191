import {
  ALLOWED_EXPRESSION_KINDS,
  ALLOWED_FUNCTIONS,
  ALLOWED_OPERATORS,
  ALLOWED_TYPES,
  ALLOWED_VALUE_FUNCTIONS,
} from "./allowlist.js";
import { dataSchemaOf } from "./names.js";
import { parseStatements, type RawNode, SqlSyntaxError, statementText } from "./parser.js";

/**
 * Static checks for model-written SQL on Postgres' own parse tree (see parser.ts). Names are compared as Postgres
 * resolves them: the parser has already folded unquoted identifiers to lower case and kept quoted ones exactly, so
 * `"PG_ROLES"` and `pg_roles` are different names here as they are in the database. A CTE name is in scope only
 * for the references Postgres binds to it (earlier siblings and the main query for WITH, every sibling for
 * WITH RECURSIVE, outer levels for sub-selects); any other unqualified name is a relation looked up on
 * `search_path = pg_catalog, <schema>_data, pg_temp`, and only the tool's views pass. This is the first layer: the
 * executor also checks the plan Postgres reports (plan-fence.ts) and the database enforces the rest.
 */

export type SqlRejection =
  | "empty"
  | "too_long"
  | "parse_error"
  | "multiple_statements"
  | "not_select"
  | "recursive_with"
  | "too_many_relations"
  | "relation_not_allowed"
  | "function_not_allowed"
  | "operator_not_allowed"
  | "cast_not_allowed"
  | "construct_not_allowed";

export type ValidationResult =
  | { ok: true; sql: string; relations: string[] }
  | { ok: false; code: SqlRejection; reason: string };

export interface ValidateOptions {
  /** The store schema; the views live in `<schema>_data`. Default "ragkit". */
  schema?: string;
  /** The views SQL may read: the registered datasets' names (see registerDataset). Default: none. */
  views?: readonly string[];
  /** Default 10,000 characters. */
  maxLength?: number;
  /** Accept WITH RECURSIVE. Default false: the planner cannot bound a recursion (see docs/sql-tool.md). */
  allowRecursive?: boolean;
  /** Most relations joined in one FROM clause (joins flattened). Default 4. */
  maxJoinedRelations?: number;
  /** Most relation and CTE references in the whole statement (bounds planning time). Default 16. */
  maxRelationReferences?: number;
}

class Rejected extends Error {
  constructor(
    readonly code: SqlRejection,
    reason: string,
  ) {
    super(reason);
  }
}

const quoteIdent = (name: string): string => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));

/** The CTE names visible at one query level, innermost frame last. */
type Frames = ReadonlyArray<ReadonlySet<string>>;

interface Context {
  dataSchema: string;
  views: readonly string[];
  allowRecursive: boolean;
  maxJoinedRelations: number;
  maxRelationReferences: number;
  references: number;
  relations: Set<string>;
}

/** Wrapped node `{ Kind: body }` → [Kind, body]; anything else → null. */
function unwrap(value: unknown): [string, RawNode] | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !/^[A-Z]/.test(keys[0]!)) return null;
  const body = (value as RawNode)[keys[0]!];
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  return [keys[0]!, body as RawNode];
}

/** The `sval`s of a list of String nodes (qualified names, operator names). */
function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const node = unwrap(item);
    if (node?.[0] !== "String") throw new Rejected("construct_not_allowed", "Unexpected name form.");
    return String(node[1].sval ?? "");
  });
}

/** A `pg_catalog` name written bare or `pg_catalog.`-qualified, or null for any other qualification. */
function catalogName(list: unknown): string | null {
  const parts = strings(list);
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2 && parts[0] === "pg_catalog") return parts[1]!;
  return null;
}

function checkOperator(list: unknown): void {
  const op = catalogName(list);
  if (op === null || !ALLOWED_OPERATORS.has(op)) {
    throw new Rejected(
      "operator_not_allowed",
      `Operator ${JSON.stringify(strings(list).join("."))} is not allowed.`,
    );
  }
}

interface Spec {
  /** Fields the node may carry (besides `location`); any other field refuses the statement. */
  fields: readonly string[];
  /** Fields that are names or flags, not sub-expressions: not walked. */
  names?: readonly string[];
  check?: (body: RawNode, ctx: Context) => void;
}

const EXPRESSION_SPECS: Record<string, Spec> = {
  ResTarget: { fields: ["name", "indirection", "val"], names: ["name"] },
  ColumnRef: { fields: ["fields"] },
  A_Star: { fields: [] },
  String: { fields: ["sval"] },
  Integer: { fields: ["ival"] },
  Float: { fields: ["fval"] },
  Boolean: { fields: ["boolval"] },
  A_Const: { fields: ["ival", "fval", "boolval", "sval", "bsval", "isnull"] },
  List: { fields: ["items"] },
  BoolExpr: { fields: ["boolop", "args"], names: ["boolop"] },
  NullTest: { fields: ["arg", "nulltesttype", "argisrow"], names: ["nulltesttype", "argisrow"] },
  BooleanTest: { fields: ["arg", "booltesttype"], names: ["booltesttype"] },
  CaseExpr: { fields: ["arg", "args", "defresult"] },
  CaseWhen: { fields: ["expr", "result"] },
  CoalesceExpr: { fields: ["args"] },
  MinMaxExpr: { fields: ["op", "args"], names: ["op"] },
  A_ArrayExpr: { fields: ["elements", "list_start", "list_end"], names: ["list_start", "list_end"] },
  RowExpr: { fields: ["args", "row_format", "colnames"], names: ["row_format", "colnames"] },
  A_Indirection: { fields: ["arg", "indirection"] },
  A_Indices: { fields: ["is_slice", "lidx", "uidx"], names: ["is_slice"] },
  GroupingFunc: { fields: ["args"] },
  GroupingSet: { fields: ["kind", "content"], names: ["kind"] },
  WindowDef: {
    fields: ["name", "refname", "partitionClause", "orderClause", "frameOptions", "startOffset", "endOffset"],
    names: ["name", "refname", "frameOptions"],
  },
  SortBy: {
    fields: ["node", "sortby_dir", "sortby_nulls", "useOp"],
    names: ["sortby_dir", "sortby_nulls", "useOp"],
    check: (b) => {
      if (b.useOp !== undefined) checkOperator(b.useOp);
    },
  },
  A_Expr: {
    fields: ["kind", "name", "lexpr", "rexpr", "rexpr_list_start", "rexpr_list_end"],
    names: ["kind", "name", "rexpr_list_start", "rexpr_list_end"],
    check: (b) => {
      const kind = String(b.kind);
      if (!ALLOWED_EXPRESSION_KINDS.has(kind)) {
        throw new Rejected("operator_not_allowed", `${kind.replace("AEXPR_", "")} is not allowed.`);
      }
      if (!kind.includes("BETWEEN")) checkOperator(b.name);
    },
  },
  SubLink: {
    fields: ["subLinkType", "testexpr", "operName", "subselect"],
    names: ["subLinkType", "operName"],
    check: (b) => {
      if (
        !["EXISTS_SUBLINK", "ALL_SUBLINK", "ANY_SUBLINK", "EXPR_SUBLINK", "ARRAY_SUBLINK"].includes(
          String(b.subLinkType),
        )
      ) {
        throw new Rejected("construct_not_allowed", "This kind of sub-select is not allowed.");
      }
      if (b.operName !== undefined) checkOperator(b.operName);
    },
  },
  SQLValueFunction: {
    fields: ["op", "typmod"],
    names: ["op", "typmod"],
    check: (b) => {
      if (!ALLOWED_VALUE_FUNCTIONS.has(String(b.op))) {
        const shown = String(b.op).replace("SVFOP_", "").replace(/_N$/, "");
        throw new Rejected("function_not_allowed", `${shown} is not allowed (it reveals session state).`);
      }
    },
  },
  FuncCall: {
    fields: [
      "funcname",
      "args",
      "agg_order",
      "agg_filter",
      "over",
      "agg_within_group",
      "agg_star",
      "agg_distinct",
      "func_variadic",
      "funcformat",
    ],
    names: ["funcname", "agg_within_group", "agg_star", "agg_distinct", "func_variadic", "funcformat"],
    check: (b) => {
      const name = catalogName(b.funcname);
      if (name === null || !ALLOWED_FUNCTIONS.has(name)) {
        const shown = strings(b.funcname).map(quoteIdent).join(".");
        throw new Rejected(
          "function_not_allowed",
          `Function ${shown} is not allowed. Allowed: ${[...ALLOWED_FUNCTIONS].join(", ")}.`,
        );
      }
    },
  },
  TypeCast: {
    fields: ["arg", "typeName"],
    names: ["typeName"],
    check: (b) => {
      const t = (b.typeName ?? {}) as RawNode;
      const name = catalogName(t.names);
      const shown = strings(t.names).map(quoteIdent).join(".");
      if (t.setof || t.pct_type || name === null || !ALLOWED_TYPES.has(name)) {
        throw new Rejected("cast_not_allowed", `Cast to ${shown || "this type"} is not allowed.`);
      }
      for (const mod of (t.typmods as unknown[]) ?? []) {
        if (unwrap(mod)?.[0] !== "A_Const")
          throw new Rejected("cast_not_allowed", "Type modifiers must be constants.");
      }
    },
  },
};

const SELECT_FIELDS = new Set([
  "distinctClause",
  "targetList",
  "fromClause",
  "whereClause",
  "groupClause",
  "groupDistinct",
  "havingClause",
  "windowClause",
  "valuesLists",
  "sortClause",
  "limitOffset",
  "limitCount",
  "limitOption",
  "withClause",
  "op",
  "all",
  "larg",
  "rarg",
]);
const SELECT_FLAGS = new Set(["groupDistinct", "limitOption", "op", "all"]);

function assertFields(kind: string, body: RawNode, allowed: ReadonlySet<string> | readonly string[]): void {
  const has = (f: string) => (Array.isArray(allowed) ? allowed.includes(f) : (allowed as Set<string>).has(f));
  for (const field of Object.keys(body)) {
    if (field === "location" || has(field)) continue;
    if (kind === "SelectStmt" && field === "intoClause") {
      throw new Rejected("construct_not_allowed", "SELECT INTO is not allowed.");
    }
    if (kind === "SelectStmt" && field === "lockingClause") {
      throw new Rejected("construct_not_allowed", "Locking clauses (FOR UPDATE/SHARE) are not allowed.");
    }
    throw new Rejected("construct_not_allowed", `${kind} with ${field} is not allowed.`);
  }
}

/** Visits any value: lists, wrapped nodes, and the plain structs inside nodes (aliases, window definitions). */
function visit(value: unknown, frames: Frames, ctx: Context): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, frames, ctx);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const node = unwrap(value);
  if (!node) {
    for (const child of Object.values(value)) visit(child, frames, ctx);
    return;
  }
  const [kind, body] = node;
  if (kind === "SelectStmt") {
    visitSelect(body, frames, ctx);
    return;
  }
  if (kind === "RangeVar") {
    visitRangeVar(body, frames, ctx);
    return;
  }
  if (kind === "RangeSubselect") {
    assertFields(kind, body, ["lateral", "subquery", "alias"]);
    visit(body.subquery, frames, ctx);
    return;
  }
  if (kind === "JoinExpr") {
    assertFields(kind, body, [
      "jointype",
      "isNatural",
      "larg",
      "rarg",
      "usingClause",
      "join_using_alias",
      "quals",
      "alias",
      "rtindex",
    ]);
    for (const f of ["larg", "rarg", "quals"]) visit(body[f], frames, ctx);
    return;
  }
  const spec = EXPRESSION_SPECS[kind];
  if (!spec) throw new Rejected("construct_not_allowed", `SQL construct ${kind} is not allowed.`);
  assertFields(kind, body, spec.fields);
  spec.check?.(body, ctx);
  for (const [field, child] of Object.entries(body)) {
    if (!spec.names?.includes(field)) visit(child, frames, ctx);
  }
}

/** Flattened size of one FROM list: joins count their inputs. */
function fromItems(items: unknown): number {
  let n = 0;
  for (const item of Array.isArray(items) ? items : []) {
    const node = unwrap(item);
    n += node?.[0] === "JoinExpr" ? fromItems([node[1].larg, node[1].rarg]) : 1;
  }
  return n;
}

function visitSelect(body: RawNode, outer: Frames, ctx: Context): void {
  assertFields("SelectStmt", body, SELECT_FIELDS);
  let frames = outer;
  const withClause = body.withClause as { ctes?: unknown[]; recursive?: boolean } | undefined;
  if (withClause) {
    const recursive = withClause.recursive === true;
    if (recursive && !ctx.allowRecursive) {
      throw new Rejected(
        "recursive_with",
        "WITH RECURSIVE is not allowed: the database cannot bound how long a recursion runs.",
      );
    }
    const ctes = (withClause.ctes ?? []).map((item) => {
      const node = unwrap(item);
      if (node?.[0] !== "CommonTableExpr")
        throw new Rejected("construct_not_allowed", "Malformed WITH clause.");
      assertFields("CommonTableExpr", node[1], [
        "ctename",
        "aliascolnames",
        "ctematerialized",
        "ctequery",
        "search_clause",
        "cycle_clause",
      ]);
      return node[1];
    });
    const names = ctes.map((c) => String(c.ctename));
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) {
      throw new Rejected(
        "construct_not_allowed",
        `WITH query name ${quoteIdent(duplicate)} is specified more than once.`,
      );
    }
    ctes.forEach((cte, i) => {
      if (unwrap(cte.ctequery)?.[0] !== "SelectStmt") {
        throw new Rejected("not_select", "Only SELECT is allowed inside WITH.");
      }
      // Postgres: a plain WITH item sees the items before it; WITH RECURSIVE items see every item of the list.
      const visible = new Set(recursive ? names : names.slice(0, i));
      visit(cte.ctequery, [...outer, visible], ctx);
    });
    frames = [...outer, new Set(names)];
  }
  const joined = fromItems(body.fromClause);
  if (joined > ctx.maxJoinedRelations) {
    throw new Rejected(
      "too_many_relations",
      `The query joins ${joined} relations in one FROM clause; at most ${ctx.maxJoinedRelations} are allowed.`,
    );
  }
  for (const side of ["larg", "rarg"] as const) {
    if (body[side] !== undefined) visitSelect(body[side] as RawNode, frames, ctx);
  }
  for (const [field, child] of Object.entries(body)) {
    if (field === "withClause" || field === "larg" || field === "rarg" || SELECT_FLAGS.has(field)) continue;
    visit(child, frames, ctx);
  }
}

function visitRangeVar(body: RawNode, frames: Frames, ctx: Context): void {
  assertFields("RangeVar", body, ["catalogname", "schemaname", "relname", "inh", "relpersistence", "alias"]);
  ctx.references += 1;
  if (ctx.references > ctx.maxRelationReferences) {
    throw new Rejected(
      "too_many_relations",
      `The query references more than ${ctx.maxRelationReferences} relations.`,
    );
  }
  const name = String(body.relname ?? "");
  const schema = body.schemaname === undefined ? undefined : String(body.schemaname);
  if (body.catalogname !== undefined) {
    throw new Rejected("relation_not_allowed", "Cross-database references are not allowed.");
  }
  // Only an unqualified name can bind to a CTE, and only to one in scope, compared exactly.
  if (schema === undefined && frames.some((f) => f.has(name))) return;
  if ((schema === undefined || schema === ctx.dataSchema) && ctx.views.includes(name)) {
    ctx.relations.add(name);
    return;
  }
  const shown = schema === undefined ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const catalog =
    schema === "information_schema" || (schema ?? name).startsWith("pg_")
      ? " System catalogs are not accessible."
      : "";
  throw new Rejected(
    "relation_not_allowed",
    `Relation ${shown} is not allowed.${catalog} ${ctx.views.length ? `Allowed: ${ctx.views.join(", ")}.` : "No dataset is registered."}`,
  );
}

/**
 * Accepts only a single read-only SELECT over the tool's views. On success, `sql` is the statement's own text
 * (no trailing semicolon; what the executor wraps and runs) and `relations` the views it reads.
 */
export async function validateSelect(sql: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  const maxLength = options.maxLength ?? 10_000;
  if (typeof sql !== "string" || sql.trim() === "") {
    return { ok: false, code: "empty", reason: "The query is empty." };
  }
  if (sql.length > maxLength) {
    return { ok: false, code: "too_long", reason: `The query is longer than ${maxLength} characters.` };
  }
  let statements: Awaited<ReturnType<typeof parseStatements>>;
  try {
    statements = await parseStatements(sql);
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    return { ok: false, code: "parse_error", reason: `Not a valid SELECT statement (${error.message}).` };
  }
  if (statements.length === 0) return { ok: false, code: "empty", reason: "The query is empty." };
  if (statements.length > 1) {
    return { ok: false, code: "multiple_statements", reason: "Only a single statement is allowed." };
  }
  const statement = statements[0]!;
  const top = unwrap(statement.stmt);
  if (top?.[0] !== "SelectStmt") {
    const kind = (top?.[0] ?? "unknown").replace(/Stmt$/, "");
    return { ok: false, code: "not_select", reason: `Only SELECT statements are allowed (got ${kind}).` };
  }
  const ctx: Context = {
    dataSchema: dataSchemaOf(options.schema ?? "ragkit"),
    views: options.views ?? [],
    allowRecursive: options.allowRecursive ?? false,
    maxJoinedRelations: options.maxJoinedRelations ?? 4,
    maxRelationReferences: options.maxRelationReferences ?? 16,
    references: 0,
    relations: new Set(),
  };
  try {
    visitSelect(top[1], [], ctx);
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, code: error.code, reason: error.message };
    throw error;
  }
  return { ok: true, sql: statementText(sql, statement), relations: [...ctx.relations] };
}

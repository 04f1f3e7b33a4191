import { parse } from "pgsql-ast-parser";
import { dataSchemaOf, SQL_TOOL_VIEWS } from "./names.js";

/**
 * Static checks for model-written SQL: a real parser (pgsql-ast-parser) plus a lexical pre-scan that mirrors
 * Postgres' own lexer for the small subset accepted. Only one SELECT (optionally WITH … SELECT, UNION) over
 * the whitelisted views, with allowlisted functions, operators and casts, passes. This is the first layer only:
 * the database enforces read-only, the read-only role and row-level security regardless (see execute.ts).
 */

export type SqlRejection =
  | "empty"
  | "too_long"
  | "lexical"
  | "parse_error"
  | "multiple_statements"
  | "not_select"
  | "nested_with"
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
  /** Default 10,000 characters. */
  maxLength?: number;
}

/** Aggregates, window functions and scalar functions without side effects or access to server state. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "stddev",
  "stddev_samp",
  "stddev_pop",
  "variance",
  "bool_and",
  "bool_or",
  "string_agg",
  "round",
  "trunc",
  "abs",
  "ceil",
  "ceiling",
  "floor",
  "greatest",
  "least",
  "coalesce",
  "nullif",
  "date_trunc",
  "date_part",
  "extract",
  "make_date",
  "to_char",
  "lower",
  "upper",
  "initcap",
  "length",
  "trim",
  "btrim",
  "concat",
  "row_number",
  "rank",
  "dense_rank",
  "lag",
  "lead",
  "any",
  "all",
]);

const ALLOWED_BINARY_OPS: ReadonlySet<string> = new Set([
  "=",
  "!=",
  "<>",
  "<",
  "<=",
  ">",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "||",
  "AND",
  "OR",
  "IN",
  "NOT IN",
  "LIKE",
  "NOT LIKE",
  "ILIKE",
  "NOT ILIKE",
  "IS",
  "IS NOT",
]);

const ALLOWED_UNARY_OPS: ReadonlySet<string> = new Set([
  "NOT",
  "-",
  "+",
  "IS NULL",
  "IS NOT NULL",
  "IS TRUE",
  "IS NOT TRUE",
  "IS FALSE",
  "IS NOT FALSE",
]);

const ALLOWED_CASTS: ReadonlySet<string> = new Set([
  "int",
  "int2",
  "int4",
  "int8",
  "integer",
  "smallint",
  "bigint",
  "numeric",
  "decimal",
  "real",
  "float",
  "float4",
  "float8",
  "double precision",
  "text",
  "varchar",
  "character varying",
  "char",
  "character",
  "date",
  "timestamp",
  "timestamptz",
  "timestamp with time zone",
  "timestamp without time zone",
  "interval",
  "bool",
  "boolean",
]);

const ALLOWED_KEYWORDS: ReadonlySet<string> = new Set([
  "current_date",
  "current_timestamp",
  "localtimestamp",
]);

/** Expression and clause node types the walker accepts; anything else (parameters, VALUES, …) is refused. */
const ALLOWED_NODE_TYPES: ReadonlySet<string> = new Set([
  "select",
  "union",
  "union all",
  "table",
  "statement",
  "ref",
  "call",
  "binary",
  "unary",
  "integer",
  "numeric",
  "string",
  "boolean",
  "null",
  "cast",
  "case",
  "ternary",
  "list",
  "array",
  "extract",
  "keyword",
  "INNER JOIN",
  "LEFT JOIN",
  "RIGHT JOIN",
  "FULL JOIN",
  "CROSS JOIN",
]);

class Rejected extends Error {
  constructor(
    readonly code: SqlRejection,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Postgres-faithful scan of the accepted subset: standard '…' strings ('' escapes, backslash literal), "…"
 * identifiers; outside them, no comments, no dollar quotes or parameters, no backslashes, no E''/U&''/B''/X''
 * strings and no semicolon except trailing ones. Returns the text without trailing semicolons. Anything the
 * parser and Postgres could tokenize differently is refused here, so both see the same single statement.
 */
function scan(sql: string): string {
  let i = 0;
  let lastCode = -1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'") {
      const prev = i > 0 ? sql[i - 1]! : " ";
      if (/[A-Za-z0-9_&]/.test(prev)) {
        throw new Rejected("lexical", "Prefixed string literals (E'', U&'', B'', X'') are not allowed.");
      }
      i += 1;
      for (;;) {
        if (i >= sql.length) throw new Rejected("lexical", "Unterminated string literal.");
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            i += 2;
            continue;
          }
          break;
        }
        i += 1;
      }
      lastCode = i;
      i += 1;
      continue;
    }
    if (c === '"') {
      if (i > 0 && sql[i - 1] === "&")
        throw new Rejected("lexical", "Unicode-escaped identifiers are not allowed.");
      const end = sql.indexOf('"', i + 1);
      if (end < 0) throw new Rejected("lexical", "Unterminated quoted identifier.");
      if (sql[end + 1] === '"')
        throw new Rejected("lexical", "Escaped quotes in identifiers are not allowed.");
      lastCode = end;
      i = end + 1;
      continue;
    }
    if ((c === "-" && sql[i + 1] === "-") || (c === "/" && sql[i + 1] === "*")) {
      throw new Rejected("lexical", "Comments are not allowed in queries.");
    }
    if (c === "$") throw new Rejected("lexical", "Parameters and dollar-quoted strings are not allowed.");
    if (c === "\\") throw new Rejected("lexical", "Backslashes are not allowed outside string literals.");
    if (c === ";") {
      if (sql.slice(i).replace(/[;\s]/g, "") !== "") {
        throw new Rejected("multiple_statements", "Only a single statement is allowed.");
      }
      return sql.slice(0, lastCode + 1);
    }
    if (!/\s/.test(c)) lastCode = i;
    i += 1;
  }
  return sql.slice(0, lastCode + 1);
}

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && !Array.isArray(value);

interface Scope {
  dataSchema: string;
  ctes: ReadonlySet<string>;
  relations: Set<string>;
}

function checkTable(node: Node, scope: Scope): void {
  const name = node.name as { name?: string; schema?: string } | undefined;
  const rel = name?.name?.toLowerCase() ?? "";
  const schema = name?.schema?.toLowerCase();
  if (schema === undefined && scope.ctes.has(rel)) return;
  if ((schema === undefined || schema === scope.dataSchema) && SQL_TOOL_VIEWS.includes(rel)) {
    scope.relations.add(rel);
    return;
  }
  const shown = schema ? `${schema}.${rel}` : rel;
  const hint =
    schema === "pg_catalog" || schema === "information_schema" || rel.startsWith("pg_")
      ? " System catalogs are not accessible."
      : "";
  throw new Rejected(
    "relation_not_allowed",
    `Relation "${shown}" is not allowed.${hint} Allowed: ${SQL_TOOL_VIEWS.join(", ")}.`,
  );
}

function typeName(to: unknown): string {
  const t = to as { name?: string; schema?: string; kind?: string; arrayOf?: unknown } | undefined;
  if (!t || t.kind === "array" || t.arrayOf !== undefined) return "array";
  return `${t.schema ? `${t.schema}.` : ""}${t.name ?? ""}`.toLowerCase();
}

/** Visits every node of a statement (any depth, any field) and applies the allowlists. */
function walk(value: unknown, scope: Scope): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, scope);
    return;
  }
  if (!isNode(value)) return;
  const type = value.type;
  if (typeof type === "string") {
    if (type === "with" || type === "with recursive") {
      throw new Rejected("nested_with", "WITH is only allowed at the top of the query (and not RECURSIVE).");
    }
    if (!ALLOWED_NODE_TYPES.has(type)) {
      throw new Rejected("construct_not_allowed", `SQL construct "${type}" is not allowed.`);
    }
    switch (type) {
      case "select":
        if (value.for !== undefined || value.into !== undefined) {
          throw new Rejected("construct_not_allowed", "Locking clauses and SELECT INTO are not allowed.");
        }
        break;
      case "table":
        checkTable(value, scope);
        break;
      case "call": {
        const fn = value.function as { name?: string; schema?: string } | undefined;
        const name = fn?.name?.toLowerCase() ?? "";
        if (fn?.schema !== undefined || !ALLOWED_FUNCTIONS.has(name)) {
          const shown = fn?.schema ? `${fn.schema}.${name}` : name;
          throw new Rejected(
            "function_not_allowed",
            `Function "${shown}" is not allowed. Allowed: ${[...ALLOWED_FUNCTIONS].join(", ")}.`,
          );
        }
        break;
      }
      case "binary":
        if (!ALLOWED_BINARY_OPS.has(String(value.op)) || value.opSchema !== undefined) {
          throw new Rejected("operator_not_allowed", `Operator "${String(value.op)}" is not allowed.`);
        }
        break;
      case "unary":
        if (!ALLOWED_UNARY_OPS.has(String(value.op)) || value.opSchema !== undefined) {
          throw new Rejected("operator_not_allowed", `Operator "${String(value.op)}" is not allowed.`);
        }
        break;
      case "cast": {
        const to = typeName(value.to);
        if (!ALLOWED_CASTS.has(to)) throw new Rejected("cast_not_allowed", `Cast to "${to}" is not allowed.`);
        break;
      }
      case "keyword":
        if (!ALLOWED_KEYWORDS.has(String(value.keyword).toLowerCase())) {
          throw new Rejected("construct_not_allowed", `Keyword "${String(value.keyword)}" is not allowed.`);
        }
        break;
    }
  }
  for (const [key, child] of Object.entries(value)) {
    // Names (relation, function, alias, column, type) are checked above; they are not expressions.
    if (key === "name" || key === "function" || key === "alias" || key === "to" || key === "table") continue;
    walk(child, scope);
  }
}

function reject(error: unknown): ValidationResult {
  if (error instanceof Rejected) return { ok: false, code: error.code, reason: error.message };
  throw error;
}

/**
 * Accepts only a single read-only SELECT over the tool's views. On success, `sql` is the statement without
 * trailing semicolons (what the executor runs, unchanged) and `relations` the views it reads.
 */
export function validateSelect(sql: string, options: ValidateOptions = {}): ValidationResult {
  const dataSchema = dataSchemaOf(options.schema ?? "ragkit");
  const maxLength = options.maxLength ?? 10_000;
  if (typeof sql !== "string" || sql.trim() === "") {
    return { ok: false, code: "empty", reason: "The query is empty." };
  }
  if (sql.length > maxLength) {
    return { ok: false, code: "too_long", reason: `The query is longer than ${maxLength} characters.` };
  }
  let text: string;
  try {
    text = scan(sql);
  } catch (error) {
    return reject(error);
  }
  let statements: unknown[];
  try {
    statements = parse(text);
  } catch (error) {
    const first = error instanceof Error ? (error.message.split("\n")[0] ?? "") : "";
    return {
      ok: false,
      code: "parse_error",
      reason: `Not a supported SELECT statement (${first.trim() || "syntax error"}).`,
    };
  }
  if (statements.length !== 1) {
    return { ok: false, code: "multiple_statements", reason: "Only a single statement is allowed." };
  }
  const statement = statements[0] as Node;
  const relations = new Set<string>();
  try {
    if (statement.type === "with") {
      // Non-recursive: each CTE sees the ones before it; the main query sees all of them.
      const ctes = new Set<string>();
      for (const bind of (statement.bind as Node[]) ?? []) {
        const body = bind.statement as Node;
        if (!["select", "union", "union all"].includes(String(body?.type))) {
          throw new Rejected("not_select", "Only SELECT is allowed inside WITH.");
        }
        walk(body, { dataSchema, ctes: new Set(ctes), relations });
        ctes.add(String((bind.alias as { name?: string })?.name ?? "").toLowerCase());
      }
      const main = statement.in as Node;
      if (!["select", "union", "union all"].includes(String(main?.type))) {
        throw new Rejected("not_select", "Only SELECT is allowed after WITH.");
      }
      walk(main, { dataSchema, ctes, relations });
    } else if (["select", "union", "union all"].includes(String(statement.type))) {
      walk(statement, { dataSchema, ctes: new Set(), relations });
    } else {
      throw new Rejected(
        "not_select",
        `Only SELECT statements are allowed (got ${String(statement.type).toUpperCase()}).`,
      );
    }
  } catch (error) {
    return reject(error);
  }
  return { ok: true, sql: text, relations: [...relations] };
}

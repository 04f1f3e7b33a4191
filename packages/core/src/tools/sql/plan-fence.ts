import { ALLOWED_FUNCTIONS } from "./allowlist.js";
import { type PlanNode, planNodes } from "./plan.js";

/**
 * The second, parser-independent check: what Postgres itself resolved, read from `EXPLAIN (VERBOSE, FORMAT
 * JSON)` of the exact statement, planned in the tool's own scope (role, search_path, tenant) just before it runs.
 * Every relation scanned must be one the allowed views read, every plan node an allowed kind, and every function
 * Postgres prints in any expression must be allowlisted or be part of the views' own row-level-security quals
 * (taken from the plan of the bare views, the "baseline"). A catalog view (pg_roles, pg_stat_*, pg_settings …)
 * shows up as its catalog tables or functions, whatever name or quoting reached it.
 */

export interface PlanBaseline {
  /** `schema.relation` of every relation the allowed views scan (their base tables and policy tables). */
  relations: ReadonlySet<string>;
  /** Function calls, verbatim, that the views' policies add to every plan (e.g. the tenant setting). */
  policyCalls: ReadonlySet<string>;
}

export class PlanRefused extends Error {}

const ALLOWED_NODES: ReadonlySet<string> = new Set([
  "Result",
  "Append",
  "Merge Append",
  "Nested Loop",
  "Hash Join",
  "Merge Join",
  "Hash",
  "Seq Scan",
  "Index Scan",
  "Index Only Scan",
  "Bitmap Heap Scan",
  "Bitmap Index Scan",
  "BitmapAnd",
  "BitmapOr",
  "Subquery Scan",
  "CTE Scan",
  "Values Scan",
  "Materialize",
  "Memoize",
  "Sort",
  "Incremental Sort",
  "Group",
  "Aggregate",
  "WindowAgg",
  "Unique",
  "SetOp",
  "Limit",
  "Gather",
  "Gather Merge",
]);
const RECURSIVE_NODES: ReadonlySet<string> = new Set(["Recursive Union", "WorkTable Scan"]);

/** Keys whose values are names Postgres prints, not expressions. */
const NAME_KEYS: ReadonlySet<string> = new Set([
  "Node Type",
  "Parent Relationship",
  "Relation Name",
  "Schema",
  "Alias",
  "CTE Name",
  "Index Name",
  "Subplan Name",
  "Strategy",
  "Partial Mode",
  "Join Type",
  "Scan Direction",
  "Command",
  "Sort Method",
]);

/** Upper-case keyword forms ruleutils prints before a parenthesis (EXTRACT(…), COALESCE(…), OVER (…) …). */
const KEYWORD_FORMS: ReadonlySet<string> = new Set([
  "EXTRACT",
  "COALESCE",
  "NULLIF",
  "GREATEST",
  "LEAST",
  "SUBSTRING",
  "TRIM",
  "POSITION",
  "ROW",
  "ARRAY",
  "ANY",
  "ALL",
  "EXISTS",
  "IN",
  "NOT",
  "AND",
  "OR",
  "AS",
  "OVER",
  "FILTER",
  "GROUP",
  "WHERE",
  "BY",
  "FROM",
  "FOR",
  "WHEN",
  "THEN",
  "ELSE",
  "IS",
  "DISTINCT",
  "CURRENT_TIMESTAMP",
  "CURRENT_TIME",
  "LOCALTIMESTAMP",
  "LOCALTIME",
]);
/** Bare upper-case words that read session state (CURRENT_USER …): refused wherever they appear. */
const SESSION_KEYWORDS: ReadonlySet<string> = new Set([
  "CURRENT_USER",
  "SESSION_USER",
  "CURRENT_ROLE",
  "USER",
  "SYSTEM_USER",
  "CURRENT_CATALOG",
  "CURRENT_SCHEMA",
]);

/** Types a printed cast may name (format_type spelling), optionally with modifiers and `[]`. */
const PRINTED_TYPES: ReadonlySet<string> = new Set([
  "smallint",
  "integer",
  "bigint",
  "numeric",
  "real",
  "double precision",
  "text",
  "character varying",
  "character",
  "bpchar",
  "boolean",
  "date",
  "timestamp without time zone",
  "timestamp with time zone",
  "time without time zone",
  "time with time zone",
  "interval",
]);

interface Token {
  kind: "word" | "quoted" | "string" | "punct" | "other";
  text: string;
  start: number;
}

/** Tokenizes ruleutils output: 'literals' ('' escapes, E'' with backslashes), "identifiers", words, punctuation. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const escaped = (c === "E" || c === "e") && text[i + 1] === "'";
    if (c === "'" || escaped) {
      const start = i;
      i += escaped ? 2 : 1;
      while (i < text.length) {
        if (escaped && text[i] === "\\") i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i += 1;
      }
      i += 1;
      tokens.push({ kind: "string", text: text.slice(start, i), start });
      continue;
    }
    if (c === '"') {
      const start = i;
      i += 1;
      while (i < text.length && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
      i += 1;
      tokens.push({ kind: "quoted", text: text.slice(start + 1, i - 1).replaceAll('""', '"'), start });
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
    if (word) {
      tokens.push({ kind: "word", text: word[0], start: i });
      i += word[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === "::") {
      tokens.push({ kind: "punct", text: "::", start: i });
      i += 2;
      continue;
    }
    tokens.push({ kind: /[().,[\]]/.test(c) ? "punct" : "other", text: c, start: i });
    i += 1;
  }
  return tokens;
}

/** The text from a call's name to its matching closing parenthesis. */
function callText(text: string, tokens: Token[], nameIndex: number, openIndex: number): string {
  let depth = 0;
  for (let k = openIndex; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== "punct") continue;
    if (t.text === "(") depth += 1;
    if (t.text === ")" && --depth === 0) return text.slice(tokens[nameIndex]!.start, t.start + 1);
  }
  return text.slice(tokens[nameIndex]!.start);
}

/** Reads a printed type after `::` starting at tokens[k]; returns its name and the index after it. */
function readType(tokens: Token[], k: number): { name: string; next: number } {
  const words: string[] = [];
  let j = k;
  const first = tokens[j];
  if (first?.kind === "quoted") return { name: `"${first.text}"`, next: j + 1 };
  while (tokens[j]?.kind === "word") {
    words.push(tokens[j]!.text);
    j += 1;
    if (tokens[j]?.text === ".") {
      words.push(".");
      j += 1;
    }
    // A modifier list, e.g. numeric(10,2) or timestamp(3) with time zone.
    if (tokens[j]?.text === "(") {
      while (j < tokens.length && tokens[j]!.text !== ")") j += 1;
      j += 1;
    }
    const nextWord = tokens[j]?.text;
    if (!["with", "without", "time", "zone", "varying", "precision"].includes(nextWord ?? "")) break;
  }
  while (tokens[j]?.text === "[" && tokens[j + 1]?.text === "]") j += 2;
  return { name: words.join(" ").replaceAll(" . ", "."), next: j };
}

/** Checks one printed expression: every call, cast and session keyword. */
export function checkExpression(text: string, baseline: PlanBaseline): void {
  const tokens = tokenize(text);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === "punct" && t.text === "::") {
      const type = readType(tokens, k + 1);
      if (!PRINTED_TYPES.has(type.name)) throw new PlanRefused(`cast to ${type.name}`);
      k = type.next - 1;
      continue;
    }
    if (t.kind !== "word" && t.kind !== "quoted") continue;
    if (t.kind === "word" && SESSION_KEYWORDS.has(t.text)) throw new PlanRefused(t.text);
    // A qualified call prints as schema.name( — take the whole name.
    let j = k;
    let name = t.text;
    while (tokens[j + 1]?.text === "." && ["word", "quoted"].includes(tokens[j + 2]?.kind ?? "")) {
      name = `${name}.${tokens[j + 2]!.text}`;
      j += 2;
    }
    if (tokens[j + 1]?.text !== "(") continue;
    const keyword = t.kind === "word" && j === k && /^[A-Z_]+$/.test(t.text);
    if (keyword) {
      if (!KEYWORD_FORMS.has(t.text)) throw new PlanRefused(t.text);
      continue;
    }
    if (j === k && t.kind === "word" && ALLOWED_FUNCTIONS.has(name)) continue;
    if (baseline.policyCalls.has(callText(text, tokens, k, j + 1))) continue;
    throw new PlanRefused(`function ${name}`);
  }
}

/** Every printed expression of a plan node: strings at any depth (e.g. "Grouping Sets") under non-name keys. */
function expressions(node: PlanNode): string[] {
  const out: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) if (!NAME_KEYS.has(key)) collect(child);
    }
  };
  for (const [key, value] of Object.entries(node)) {
    if (key !== "Plans" && !NAME_KEYS.has(key)) collect(value);
  }
  return out;
}

/** The calls of a baseline plan (the bare views): their policies' expressions, verbatim. */
export function policyCallsOf(root: PlanNode): string[] {
  const calls: string[] = [];
  for (const node of planNodes(root)) {
    for (const text of expressions(node)) {
      const tokens = tokenize(text);
      tokens.forEach((t, k) => {
        if (
          (t.kind === "word" || t.kind === "quoted") &&
          tokens[k + 1]?.text === "(" &&
          !/^[A-Z_]+$/.test(t.text)
        ) {
          calls.push(callText(text, tokens, k, k + 1));
        }
      });
    }
  }
  return calls;
}

/**
 * Refuses (PlanRefused, with what was found) a plan that scans anything but the views' relations, uses a plan
 * node outside the allowlist (function scans, foreign scans, row locks, modifications …), or prints a function,
 * cast or session keyword outside the allowlists.
 */
export function checkPlan(
  root: PlanNode,
  baseline: PlanBaseline,
  options: { allowRecursive: boolean },
): void {
  for (const node of planNodes(root)) {
    const type = node["Node Type"];
    if (!ALLOWED_NODES.has(type) && !(options.allowRecursive && RECURSIVE_NODES.has(type))) {
      throw new PlanRefused(`plan node ${type}`);
    }
    if (node["Relation Name"] !== undefined) {
      const relation = `${node.Schema ?? "?"}.${node["Relation Name"]}`;
      if (!baseline.relations.has(relation)) throw new PlanRefused(`relation ${relation}`);
    }
    for (const text of expressions(node)) checkExpression(text, baseline);
  }
}

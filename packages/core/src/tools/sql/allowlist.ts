/**
 * What model-written SQL may use, by the names Postgres itself resolves (the raw parse tree of the real
 * Postgres parser: unquoted identifiers already folded to lower case, quoted ones kept exactly). Everything not
 * listed is refused: a positive allowlist, so a function that reads catalog or server state (`pg_read_file`,
 * `current_setting`, `set_config`, `query_to_xml`, `pg_stat_get_*`, `lo_*`, `txid_*`, `pg_sleep`, …) is closed
 * by not being here rather than by a list of known payloads.
 */

/**
 * Functions of `pg_catalog` (written bare or `pg_catalog.`-qualified) that compute on their arguments only:
 * no catalog, file, setting, session or clock-wait access, no SQL execution, no side effects, and no unbounded
 * allocation from a small input (so no `repeat`, `lpad`, `rpad`, `generate_series`). Regular-expression
 * functions are left out too: a pattern's cost is not visible to the planner.
 */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "stddev",
  "stddev_samp",
  "stddev_pop",
  "variance",
  "var_samp",
  "var_pop",
  "bool_and",
  "bool_or",
  "every",
  "string_agg",
  "array_agg",
  "percentile_cont",
  "percentile_disc",
  "mode",
  "corr",
  "covar_pop",
  "covar_samp",
  // window functions
  "row_number",
  "rank",
  "dense_rank",
  "percent_rank",
  "cume_dist",
  "ntile",
  "lag",
  "lead",
  "first_value",
  "last_value",
  "nth_value",
  // numbers
  "round",
  "trunc",
  "abs",
  "ceil",
  "ceiling",
  "floor",
  "sign",
  "sqrt",
  "power",
  "exp",
  "ln",
  "log",
  "mod",
  "div",
  // dates (EXTRACT and AT TIME ZONE arrive as pg_catalog.extract / pg_catalog.timezone)
  "date_trunc",
  "date_part",
  "extract",
  "make_date",
  "to_char",
  "age",
  "timezone",
  // text (TRIM / SUBSTRING / POSITION arrive as btrim, ltrim, rtrim, substring, position)
  "lower",
  "upper",
  "initcap",
  "length",
  "char_length",
  "character_length",
  "btrim",
  "ltrim",
  "rtrim",
  "substring",
  "substr",
  "left",
  "right",
  "position",
  "strpos",
  "replace",
  "split_part",
  "starts_with",
  "concat",
  "concat_ws",
]);

/** Type names a cast may target (pg_catalog types, as the parser names them), and arrays of them. */
export const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  "int2",
  "int4",
  "int8",
  "numeric",
  "float4",
  "float8",
  "text",
  "varchar",
  "bpchar",
  "bool",
  "date",
  "timestamp",
  "timestamptz",
  "time",
  "timetz",
  "interval",
]);

/** Operators (bare or `OPERATOR(pg_catalog.…)`): comparison, arithmetic, concatenation, LIKE/ILIKE. */
export const ALLOWED_OPERATORS: ReadonlySet<string> = new Set([
  "=",
  "<>",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "^",
  "||",
  "~~",
  "!~~",
  "~~*",
  "!~~*",
]);

/** `A_Expr` kinds: everything but SIMILAR TO (a regular expression). */
export const ALLOWED_EXPRESSION_KINDS: ReadonlySet<string> = new Set([
  "AEXPR_OP",
  "AEXPR_OP_ANY",
  "AEXPR_OP_ALL",
  "AEXPR_DISTINCT",
  "AEXPR_NOT_DISTINCT",
  "AEXPR_NULLIF",
  "AEXPR_IN",
  "AEXPR_LIKE",
  "AEXPR_ILIKE",
  "AEXPR_BETWEEN",
  "AEXPR_NOT_BETWEEN",
  "AEXPR_BETWEEN_SYM",
  "AEXPR_NOT_BETWEEN_SYM",
]);

/** SQL value functions: the clock only (CURRENT_USER, SESSION_USER, CURRENT_SCHEMA … reveal session state). */
export const ALLOWED_VALUE_FUNCTIONS: ReadonlySet<string> = new Set([
  "SVFOP_CURRENT_DATE",
  "SVFOP_CURRENT_TIME",
  "SVFOP_CURRENT_TIME_N",
  "SVFOP_CURRENT_TIMESTAMP",
  "SVFOP_CURRENT_TIMESTAMP_N",
  "SVFOP_LOCALTIME",
  "SVFOP_LOCALTIME_N",
  "SVFOP_LOCALTIMESTAMP",
  "SVFOP_LOCALTIMESTAMP_N",
]);

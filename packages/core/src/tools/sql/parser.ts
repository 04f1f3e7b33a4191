/**
 * The real Postgres parser (libpg-query: Postgres' own grammar and lexer compiled to WebAssembly), loaded once on
 * first use. Using Postgres' lexer means comments, dollar quotes, escape strings and quoted identifiers are
 * tokenized exactly as the server will tokenize them: there is no second grammar to disagree with.
 */

/** A raw parse-tree node as libpg-query returns it: `{ KindName: { …fields } }`. */
export type RawNode = Record<string, unknown>;

export interface RawStatement {
  stmt: RawNode;
  /** Byte offset of the statement in the input (absent for 0). */
  stmt_location?: number;
  /** Length of the statement (absent: to the end of the input). */
  stmt_len?: number;
}

interface LibPgQuery {
  loadModule(): Promise<void>;
  parseSync(sql: string): { stmts?: RawStatement[] };
}

let loaded: Promise<LibPgQuery> | undefined;

function parser(): Promise<LibPgQuery> {
  loaded ??= import("libpg-query")
    .then(async (mod) => {
      const lib = ((mod as { default?: LibPgQuery }).default ?? mod) as LibPgQuery;
      await lib.loadModule();
      return lib;
    })
    .catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
  return loaded;
}

export class SqlSyntaxError extends Error {}

/** Parses `sql` with Postgres' grammar; a syntax error becomes a SqlSyntaxError with Postgres' message. */
export async function parseStatements(sql: string): Promise<RawStatement[]> {
  const lib = await parser();
  try {
    return lib.parseSync(sql).stmts ?? [];
  } catch (error) {
    throw new SqlSyntaxError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The source text of one statement, measured as libpg-query measures it (UTF-8 bytes), so a statement after
 * non-ASCII text is cut at the right place.
 */
export function statementText(sql: string, statement: RawStatement): string {
  const bytes = Buffer.from(sql, "utf8");
  const start = statement.stmt_location ?? 0;
  const end = statement.stmt_len ? start + statement.stmt_len : bytes.length;
  return bytes.subarray(start, end).toString("utf8").trim();
}

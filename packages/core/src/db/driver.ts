/**
 * The two database drivers (embedded PGlite, and `pg` against any Postgres) behind one small interface.
 * All SQL is parameterised; values never reach the SQL text.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs several statements without parameters (simple query protocol); used by migrations. */
  exec(sql: string): Promise<void>;
}

export interface SqlDriver extends Queryable {
  readonly kind: "pglite" | "pg";
  /** Runs `fn` inside BEGIN … COMMIT on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

import type { Queryable, SqlDriver } from "../../../db/driver.js";
import { ConfigError, NotFoundError, ValidationError } from "../../../errors/index.js";
import { appRoleOf, dataSchemaOf, readonlyRoleOf } from "../names.js";
import {
  type Dataset,
  type DatasetColumn,
  type DatasetSpec,
  type DatasetSpecInput,
  datasetIdentifier,
  parseDatasetSpec,
} from "./spec.js";

/**
 * The dataset registry (migration 011): registration creates a `security_invoker` view in `<schema>_data` over
 * the host's tenant-scoped table(s), a read-only-role policy on each base table bound to the tool's scope row
 * (`sql_tool_tenant()`, migration 009) and column-level SELECT on exactly the columns the view reads; removal
 * drops the view and revokes whatever no remaining dataset needs. All of it is DDL on tables the host owns, so
 * it runs on the owner connection, serialised by an advisory lock.
 */

const q = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** One base table a dataset reads, with the columns its view uses (what the read-only role is granted). */
interface BaseColumns {
  schema: string;
  table: string;
  columns: string[];
}

interface RegistryRow {
  name: string;
  description: string;
  spec: DatasetSpec;
  columns: DatasetColumn[];
  base_columns: BaseColumns[];
}

export interface RegistryNames {
  schema: string;
}

function policyName(schema: string): string {
  return `${schema}_sql_tool_tenant`;
}

/** Refuses a base table the tool must not read through a view: not a table, no RLS, no tenant column, open policies. */
async function checkBaseTable(
  tx: Queryable,
  schema: string,
  base: { schema: string; table: string },
  tenantColumn: string,
): Promise<void> {
  const shown = `${base.schema}.${base.table}`;
  const [info] = await tx.query<{ relkind: string; rls: boolean; tenant_type: string | null; oid: number }>(
    `SELECT c.relkind::text AS relkind, c.relrowsecurity AS rls, c.oid::int8 AS oid,
            (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped) AS tenant_type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [base.schema, base.table, tenantColumn],
  );
  if (!info) throw new ValidationError(`Dataset source ${shown} does not exist.`);
  if (info.relkind !== "r" && info.relkind !== "p") {
    throw new ValidationError(`Dataset source ${shown} must be a table (views over views are not accepted).`);
  }
  if (!info.rls) {
    throw new ValidationError(
      `Table ${shown} has no row-level security: ALTER TABLE ${shown} ENABLE ROW LEVEL SECURITY (and FORCE) first.`,
    );
  }
  if (info.tenant_type !== "text") {
    throw new ValidationError(
      `Table ${shown} needs a text tenant column "${tenantColumn}" (found ${info.tenant_type ?? "none"}).`,
    );
  }
  // Policies are OR-ed: one that also applies to the read-only role (or PUBLIC) would widen what it sees.
  const open = await tx.query<{ polname: string }>(
    `SELECT polname FROM pg_policy
      WHERE polrelid = $1::oid AND polpermissive AND polcmd IN ('r', '*') AND polname <> $3
        AND (0::oid = ANY (polroles) OR (SELECT oid FROM pg_roles WHERE rolname = $2) = ANY (polroles))`,
    [info.oid, readonlyRoleOf(schema), policyName(schema)],
  );
  if (open.length > 0) {
    throw new ValidationError(
      `Table ${shown} has policies that apply to every role (${open.map((p) => p.polname).join(", ")}): ` +
        "scope them to your application's roles (CREATE POLICY … TO <role>) so the SQL tool's role only sees its tenant.",
    );
  }
}

/** The tables and columns a view reads, from the dependencies Postgres recorded for its rewrite rule. */
async function baseColumnsOf(tx: Queryable, view: string): Promise<BaseColumns[]> {
  const rows = await tx.query<{ schema: string; table: string; relkind: string; column: string | null }>(
    `SELECT DISTINCT n.nspname AS schema, c.relname AS table, c.relkind::text AS relkind, a.attname AS column
       FROM pg_rewrite r
       JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
       JOIN pg_class c ON c.oid = d.refobjid AND c.oid <> r.ev_class
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
      WHERE r.ev_class = $1::regclass
      ORDER BY 1, 2, 4`,
    [view],
  );
  const out = new Map<string, BaseColumns>();
  for (const row of rows) {
    if (row.relkind !== "r" && row.relkind !== "p") {
      throw new ValidationError(`Dataset view reads ${row.schema}.${row.table}, which is not a table.`);
    }
    const key = `${row.schema}.${row.table}`;
    const entry = out.get(key) ?? { schema: row.schema, table: row.table, columns: [] };
    if (row.column !== null) entry.columns.push(row.column);
    out.set(key, entry);
  }
  return [...out.values()];
}

/** Brings the read-only role's grants and policy on `tables` in line with the registry rows. */
async function syncGrants(tx: Queryable, schema: string, tables: readonly BaseColumns[]): Promise<void> {
  const ro = readonlyRoleOf(schema);
  const rows = await tx.query<Pick<RegistryRow, "spec" | "base_columns">>(
    `SELECT spec, base_columns FROM ${schema}.sql_datasets`,
  );
  const seen = new Set<string>();
  for (const t of tables) {
    const key = `${t.schema}.${t.table}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rel = `${q(t.schema)}.${q(t.table)}`;
    const columns = new Set<string>();
    let tenantColumn: string | null = null;
    for (const row of rows) {
      for (const b of row.base_columns) {
        if (b.schema !== t.schema || b.table !== t.table) continue;
        for (const c of b.columns) columns.add(c);
        tenantColumn = row.spec.source.tenantColumn;
      }
    }
    // Revoking the table privilege revokes every column privilege too: then grant back what is still needed.
    await tx.query(`REVOKE SELECT ON ${rel} FROM ${ro}`);
    await tx.query(`DROP POLICY IF EXISTS ${q(policyName(schema))} ON ${rel}`);
    if (tenantColumn === null) continue;
    await tx.query(
      `CREATE POLICY ${q(policyName(schema))} ON ${rel} FOR SELECT TO ${ro}
         USING (${q(tenantColumn)} = ${schema}.sql_tool_tenant())`,
    );
    if (columns.size > 0) {
      await tx.query(`GRANT SELECT (${[...columns].map(q).join(", ")}) ON ${rel} TO ${ro}`);
    }
  }
}

function splitTable(name: string): { schema: string | null; table: string } {
  const dot = name.indexOf(".");
  return dot < 0 ? { schema: null, table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

/**
 * Registers (or replaces) a dataset; see DatasetSpec. Returns the dataset as the tool sees it. Throws
 * ValidationError for a source that is not a row-level-secured, tenant-scoped table (or a view over such
 * tables), or whose columns do not match the listed ones.
 */
export async function registerDataset(
  owner: SqlDriver,
  names: RegistryNames,
  input: DatasetSpecInput,
): Promise<Dataset> {
  const spec = parseDatasetSpec(input);
  const s = names.schema;
  const data = dataSchemaOf(s);
  const view = `${data}.${q(spec.name)}`;
  return owner.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`ragkit:datasets:${s}`]);
    // The tool's search_path puts pg_catalog first: a view named like a catalog relation would be shadowed.
    const [shadow] = await tx.query<{ r: string | null }>("SELECT to_regclass($1)::text AS r", [
      `pg_catalog.${q(spec.name)}`,
    ]);
    if (spec.name.startsWith("pg_") || shadow?.r) {
      throw new ValidationError(
        `Dataset name ${spec.name} is reserved for the system catalog: choose another.`,
      );
    }
    const previous = await tx.query<Pick<RegistryRow, "base_columns">>(
      `SELECT base_columns FROM ${s}.sql_datasets WHERE name = $1`,
      [spec.name],
    );
    let body: string;
    if ("table" in spec.source) {
      const parts = splitTable(spec.source.table);
      const [resolved] = await tx.query<{ schema: string | null }>(
        `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.oid = to_regclass($1)`,
        [parts.schema === null ? q(parts.table) : `${q(parts.schema)}.${q(parts.table)}`],
      );
      if (!resolved?.schema) throw new ValidationError(`Dataset source ${spec.source.table} does not exist.`);
      await checkBaseTable(tx, s, { schema: resolved.schema, table: parts.table }, spec.source.tenantColumn);
      body = `SELECT ${spec.columns.map((c) => q(c.name)).join(", ")} FROM ${q(resolved.schema)}.${q(parts.table)}`;
    } else {
      body = spec.source.view.replace(/;\s*$/, "");
    }
    await tx.query(`DROP VIEW IF EXISTS ${view}`);
    try {
      await tx.query(`CREATE VIEW ${view} WITH (security_invoker = true) AS ${body}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ValidationError(`Dataset ${spec.name}: the view could not be created (${message}).`, {
        cause: error,
      });
    }
    const columns = await tx.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [view],
    );
    const listed = spec.columns.map((c) => c.name);
    const produced = columns.map((c) => c.name);
    if (listed.length !== produced.length || listed.some((n) => !produced.includes(n))) {
      throw new ValidationError(
        `Dataset ${spec.name}: the view's columns (${produced.join(", ")}) are not the listed ones (${listed.join(", ")}).`,
      );
    }
    const base = await baseColumnsOf(tx, view);
    if (base.length === 0) throw new ValidationError(`Dataset ${spec.name} reads no table.`);
    for (const b of base) await checkBaseTable(tx, s, b, spec.source.tenantColumn);
    const typed: DatasetColumn[] = spec.columns.map((c) => ({
      ...c,
      type: columns.find((col) => col.name === c.name)!.type,
    }));
    await tx.query(`COMMENT ON VIEW ${view} IS ${quoteLiteral(spec.description)}`);
    await tx.query(`REVOKE ALL ON ${view} FROM PUBLIC`);
    await tx.query(`GRANT SELECT ON ${view} TO ${readonlyRoleOf(s)}`);
    await tx.query(
      `INSERT INTO ${s}.sql_datasets (name, description, spec, columns, base_columns)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb)
       ON CONFLICT (name) DO UPDATE SET description = excluded.description, spec = excluded.spec,
         columns = excluded.columns, base_columns = excluded.base_columns, registered_at = now()`,
      [spec.name, spec.description, JSON.stringify(spec), JSON.stringify(typed), JSON.stringify(base)],
    );
    await syncGrants(tx, s, [...base, ...(previous[0]?.base_columns ?? [])]);
    return toDataset({
      name: spec.name,
      description: spec.description,
      spec,
      columns: typed,
      base_columns: base,
    });
  });
}

/** Drops a dataset's view and revokes the read-only role's grants no other dataset needs. */
export async function removeDataset(owner: SqlDriver, names: RegistryNames, name: string): Promise<void> {
  const parsed = datasetIdentifier.safeParse(name);
  if (!parsed.success)
    throw new NotFoundError(`No dataset named ${JSON.stringify(String(name).slice(0, 60))}.`);
  const s = names.schema;
  await owner.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`ragkit:datasets:${s}`]);
    const [row] = await tx.query<Pick<RegistryRow, "base_columns">>(
      `DELETE FROM ${s}.sql_datasets WHERE name = $1 RETURNING base_columns`,
      [parsed.data],
    );
    if (!row) throw new NotFoundError(`No dataset named ${parsed.data}.`);
    await tx.query(`DROP VIEW IF EXISTS ${dataSchemaOf(s)}.${q(parsed.data)}`);
    await syncGrants(tx, s, row.base_columns);
  });
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function toDataset(row: RegistryRow): Dataset {
  return {
    name: row.name,
    description: row.description,
    columns: row.columns,
    relationships: row.spec.relationships,
    synonyms: row.spec.synonyms,
  };
}

/** The registered datasets, read as the app role (the registry holds no tenant data). */
export async function loadDatasets(driver: SqlDriver, names: RegistryNames): Promise<Dataset[]> {
  const rows = await driver.transaction(async (tx) => {
    await tx.query("SELECT set_config('role', $1, true)", [appRoleOf(names.schema)]);
    return tx.query<RegistryRow>(
      `SELECT name, description, spec, columns, base_columns FROM ${names.schema}.sql_datasets ORDER BY name`,
    );
  });
  return rows.map(toDataset);
}

/**
 * The registered views and a key that changes whenever one is registered, replaced or removed (names with their
 * registration time), for caches of what the views read.
 */
export async function loadRegistryVersion(
  driver: SqlDriver,
  names: RegistryNames,
): Promise<{ views: string[]; key: string }> {
  const rows = await driver.transaction(async (tx) => {
    await tx.query("SELECT set_config('role', $1, true)", [appRoleOf(names.schema)]);
    return tx.query<{ name: string; at: string }>(
      `SELECT name, registered_at::text AS at FROM ${names.schema}.sql_datasets ORDER BY name`,
    );
  });
  return { views: rows.map((r) => r.name), key: rows.map((r) => `${r.name}@${r.at}`).join(",") };
}

/** Thrown by store methods that need the owner connection. */
export function needsOwner(what: string): ConfigError {
  return new ConfigError(
    `${what} needs the owner connection: open the store with migrationDatabase (or migrate).`,
  );
}

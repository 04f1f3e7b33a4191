/** Names of the SQL tool's database objects, derived from the store schema (see migration 004). */

/** The schema that holds only the tool's views. */
export function dataSchemaOf(schema: string): string {
  return `${schema}_data`;
}

/** The app role (every tenant query); it binds the tool's tenant before switching to the read-only role. */
export function appRoleOf(schema: string): string {
  return `${schema}_app`;
}

/** The NOLOGIN, NOBYPASSRLS role the tool's queries run as. */
export function readonlyRoleOf(schema: string): string {
  return `${appRoleOf(schema)}_readonly`;
}

export interface MigrationContext {
  /** Quoted-safe schema identifier (validated: lowercase letters, digits, underscore). */
  schema: string;
  /** The non-owner role that runs every tenant query. */
  appRole: string;
  /** A login role to grant the app and worker roles to (hardened deployments). */
  runtimeRole?: string | undefined;
}

export interface Migration {
  version: number;
  name: string;
  sql: (context: MigrationContext) => string;
}

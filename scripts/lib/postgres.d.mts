/** A prepared server: the admin (superuser) URL, the template database and the runtime login. */
export interface TestPostgres {
  adminUrl: string;
  template: string;
  runtimeRole: string;
  runtimePassword: string;
}

export interface TestPostgresDatabase {
  name: string;
  /** Superuser connection string to this database (migrations, the owner's view). */
  ownerUrl: string;
  /** The LOGIN NOSUPERUSER NOBYPASSRLS runtime role's connection string to this database. */
  runtimeUrl: string;
  drop(): Promise<void>;
}

export interface StartedPostgres {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export const RUNTIME_ROLE: string;
export function findPgvectorScript():
  | { path: string; reason?: undefined }
  | { path?: undefined; reason: string };
export function postgresAvailability():
  | { available: true; url: string; script?: undefined }
  | { available: true; script: string; url?: undefined }
  | { available: false; reason: string };
export function postgresRequired(): boolean;
export function freePort(): Promise<number>;
export function startPostgres(options?: {
  script?: string;
  port?: number;
  dir?: string;
}): Promise<StartedPostgres>;
export function startStandby(primary: StartedPostgres): Promise<StartedPostgres>;
export function withDatabase(
  url: string,
  database: string,
  login?: { user: string; password: string },
): string;
export function preparePostgres(adminUrl: string, label?: string): Promise<TestPostgres>;
export function cleanupPostgres(info: TestPostgres): Promise<void>;
export function createTestDatabase(info: TestPostgres): Promise<TestPostgresDatabase>;
export function connectionCount(adminUrl: string, database: string): Promise<number>;
export function setupTestPostgres(
  label: string,
): Promise<
  | { info: TestPostgres; reason?: undefined; teardown(): Promise<void> }
  | { info: null; reason: string; teardown(): Promise<void> }
>;

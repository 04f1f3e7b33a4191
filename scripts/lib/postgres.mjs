// Real Postgres for tests, the soak and CI: finds the shared `postgres-pgvector.sh` (Debian PostgreSQL 15 +
// pgvector built from vendored source), starts a throwaway server, and hands out one database per test file
// cloned from a template that already has the `vector` extension. Plain ESM so that vitest global setups of
// several packages, scripts and .ci/run can all use it (types: postgres.d.mts).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCRIPT = join("shared", "scripts", "postgres-pgvector.sh");

/** The login the tests use for every store: what a production runtime role looks like. */
export const RUNTIME_ROLE = "ragkit_test_runtime";
const RUNTIME_PASSWORD = "ragkit_test_runtime";

/**
 * Where `postgres-pgvector.sh` lives: `$RAGKIT_PGVECTOR_SCRIPT`, else `<dir>/shared/scripts/…` for the repo
 * root's parent and its ancestors (CI clones the repo next to `shared/`; a git worktree sits deeper).
 * Returns the path or a readable reason.
 */
export function findPgvectorScript() {
  const given = process.env.RAGKIT_PGVECTOR_SCRIPT;
  if (given) {
    return existsSync(given)
      ? { path: given }
      : { reason: `RAGKIT_PGVECTOR_SCRIPT points to ${given}, which does not exist` };
  }
  const tried = [];
  for (let dir = dirname(repoRoot); ; dir = dirname(dir)) {
    const candidate = join(dir, SCRIPT);
    tried.push(candidate);
    if (existsSync(candidate)) return { path: candidate };
    if (dirname(dir) === dir) break;
  }
  return {
    reason: `the shared Postgres script was not found (looked for ${tried.join(", ")}); CI expects the repository to be cloned next to ../shared`,
  };
}

/**
 * Whether this process could start a server: the script exists and we are root (it installs packages with
 * apt-get and runs the server as the `postgres` user). `RAGKIT_TEST_POSTGRES=off` opts out.
 */
export function postgresAvailability() {
  if (process.env.RAGKIT_TEST_POSTGRES === "off")
    return { available: false, reason: "RAGKIT_TEST_POSTGRES=off" };
  if (process.env.RAGKIT_TEST_POSTGRES) return { available: true, url: process.env.RAGKIT_TEST_POSTGRES };
  const script = findPgvectorScript();
  if (!script.path) return { available: false, reason: script.reason };
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return {
      available: false,
      reason:
        "starting Postgres needs root (apt-get, su postgres); set RAGKIT_TEST_POSTGRES to an existing server instead",
    };
  }
  return { available: true, script: script.path };
}

/** True when absence of real Postgres must fail the run (set by .ci/run). */
export const postgresRequired = () => process.env.RAGKIT_REQUIRE_POSTGRES === "1";

export async function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/** Starts a throwaway server with the shared script; `stop()` stops it and removes its directory. */
export async function startPostgres(options = {}) {
  const script = options.script ?? findPgvectorScript().path;
  if (!script) throw new Error(findPgvectorScript().reason);
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "ragkit-pg-test-"));
  const run = (...args) => spawnSync("bash", [script, ...args], { encoding: "utf8", timeout: 600_000 });
  const started = run("start", String(port), dir);
  const url = started.stdout?.trim().split("\n").at(-1) ?? "";
  if (started.status !== 0 || !url.startsWith("postgres://")) {
    run("stop", dir);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `${script} start ${port} ${dir} failed (exit ${started.status}):\n${started.stderr || started.stdout}`,
    );
  }
  return {
    url,
    port,
    dir,
    stop: async () => {
      run("stop", dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const BIN = "/usr/lib/postgresql/15/bin";
const asPostgres = (command) =>
  spawnSync("su", ["postgres", "-c", command], { encoding: "utf8", timeout: 300_000 });

/**
 * A hot standby of `primary` (a server this process started with `startPostgres`): pg_basebackup over streaming
 * replication, then a read-only server on its own port. `stop()` stops and removes it.
 */
export async function startStandby(primary) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ragkit-pg-standby-"));
  spawnSync("chown", ["postgres", dir]);
  const fail = (step, r) => {
    asPostgres(`${BIN}/pg_ctl -D ${dir}/db -m fast stop`);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`standby ${step} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  };
  const backup = asPostgres(
    `${BIN}/pg_basebackup -h 127.0.0.1 -p ${primary.port} -U postgres -D ${dir}/db -R -X stream -c fast`,
  );
  if (backup.status !== 0) fail("pg_basebackup", backup);
  // A standby needs at least the primary's max_connections (the shared script sets 200).
  const start = asPostgres(
    `${BIN}/pg_ctl -D ${dir}/db -o '-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200' -l ${dir}/log -w start`,
  );
  if (start.status !== 0) fail("start", start);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop: async () => {
      asPostgres(`${BIN}/pg_ctl -D ${dir}/db -m fast stop`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ident = (name) => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad identifier ${name}`);
  return name;
};

export function withDatabase(url, database, login) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (login) {
    u.username = login.user;
    u.password = login.password;
  }
  return u.toString();
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Catalog writes for cluster-wide objects (roles) race between concurrent sessions: retry what lost. */
async function idempotent(client, sql) {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(sql);
      return;
    } catch (error) {
      const code = error?.code;
      if (code === "42710") return; // duplicate_object: another session created it first
      if ((code === "23505" || code === "XX000") && attempt < 5) continue;
      throw error;
    }
  }
}

/**
 * Prepares a server for a test run: a template database with `vector` (CREATE DATABASE … TEMPLATE costs a
 * fraction of a second) and the runtime login role. The prefix keeps several packages' runs on one server apart.
 */
export async function preparePostgres(adminUrl, label = "run") {
  const template = ident(`rk_${label}_${randomBytes(4).toString("hex")}`);
  await withClient(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${template}`);
    await idempotent(
      client,
      `CREATE ROLE ${RUNTIME_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '${RUNTIME_PASSWORD}'`,
    );
  });
  await withClient(withDatabase(adminUrl, template), (client) =>
    client.query("CREATE EXTENSION IF NOT EXISTS vector"),
  );
  return { adminUrl, template, runtimeRole: RUNTIME_ROLE, runtimePassword: RUNTIME_PASSWORD };
}

/** Drops the template and every database cloned from it (connections still open are terminated). */
export async function cleanupPostgres(info) {
  await withClient(info.adminUrl, async (client) => {
    // Not LIKE: "_" in the names would be a wildcard.
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [
      info.template,
    ]);
    for (const { datname } of rows)
      await client.query(`DROP DATABASE IF EXISTS ${ident(datname)} WITH (FORCE)`);
  });
}

let sequence = 0;

/**
 * A fresh database for one test file (or test): owner (superuser) and runtime-login connection strings, and
 * `drop()`. Names derive from the template so `cleanupPostgres` finds leftovers of crashed runs.
 */
export async function createTestDatabase(info) {
  sequence += 1;
  const name = ident(`${info.template}_${process.pid}_${sequence}_${randomBytes(2).toString("hex")}`);
  await withClient(info.adminUrl, (client) =>
    client.query(`CREATE DATABASE ${name} TEMPLATE ${info.template}`),
  );
  return {
    name,
    ownerUrl: withDatabase(info.adminUrl, name),
    runtimeUrl: withDatabase(info.adminUrl, name, { user: info.runtimeRole, password: info.runtimePassword }),
    drop: () =>
      withClient(info.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** Connections to `database` other than the caller's (for leak checks). */
export async function connectionCount(adminUrl, database) {
  return withClient(adminUrl, async (client) => {
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [database],
    );
    return rows[0].n;
  });
}

/**
 * The vitest global-setup half shared by the packages: uses `RAGKIT_TEST_POSTGRES` when set, else starts a
 * server when possible. Returns `{ info, teardown }`, or `{ info: null, reason }` when real Postgres is not
 * available and not required (CI sets RAGKIT_REQUIRE_POSTGRES=1, which turns absence into an error).
 */
export async function setupTestPostgres(label) {
  const availability = postgresAvailability();
  if (!availability.available) {
    if (postgresRequired()) {
      throw new Error(`RAGKIT_REQUIRE_POSTGRES=1 but real Postgres is not available: ${availability.reason}`);
    }
    return { info: null, reason: availability.reason, teardown: async () => {} };
  }
  const pinned = Number(process.env.RAGKIT_TEST_POSTGRES_PORT) || undefined;
  const server = availability.url ? null : await startPostgres({ script: availability.script, port: pinned });
  const adminUrl = availability.url ?? server.url;
  try {
    const info = await preparePostgres(adminUrl, label);
    return {
      info,
      teardown: async () => {
        try {
          await cleanupPostgres(info);
        } finally {
          await server?.stop();
        }
      },
    };
  } catch (error) {
    await server?.stop();
    throw error;
  }
}

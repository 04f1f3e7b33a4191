import { PGlite } from "@electric-sql/pglite";

const db = await PGlite.create();
await db.exec(`CREATE ROLE ro NOLOGIN; CREATE ROLE app NOLOGIN; CREATE SCHEMA k; GRANT USAGE ON SCHEMA k TO app;
CREATE TABLE k.scope (xid xid8 PRIMARY KEY DEFAULT pg_current_xact_id(), tenant_id text NOT NULL);
ALTER TABLE k.scope ENABLE ROW LEVEL SECURITY; ALTER TABLE k.scope FORCE ROW LEVEL SECURITY;
CREATE POLICY bind ON k.scope FOR INSERT TO app WITH CHECK (tenant_id = current_setting('x.t', true) AND xid = pg_current_xact_id());
CREATE POLICY own ON k.scope FOR SELECT USING (xid = pg_current_xact_id_if_assigned());
GRANT INSERT (tenant_id) ON k.scope TO app; GRANT SELECT ON k.scope TO ro;
CREATE FUNCTION k.tool_tenant() RETURNS text LANGUAGE sql IMMUTABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ SELECT tenant_id FROM k.scope WHERE xid = pg_current_xact_id_if_assigned() $$;
CREATE TABLE k.sales (tenant_id text, units int); INSERT INTO k.sales SELECT CASE WHEN g % 10 = 0 THEN 'b' ELSE 'a' END, g FROM generate_series(1,200000) g; ANALYZE k.sales;
ALTER TABLE k.sales ENABLE ROW LEVEL SECURITY; ALTER TABLE k.sales FORCE ROW LEVEL SECURITY;
CREATE POLICY iso ON k.sales TO app USING (tenant_id = current_setting('x.t', true));
CREATE POLICY tool ON k.sales FOR SELECT TO ro USING (tenant_id = k.tool_tenant());
GRANT SELECT ON k.sales TO ro, app; CREATE SCHEMA kd; GRANT USAGE ON SCHEMA kd TO ro; CREATE VIEW kd.v WITH (security_invoker = true) AS SELECT units FROM k.sales; GRANT SELECT ON kd.v TO ro;
`);
await db.exec("BEGIN");
await db.query("SELECT set_config('role','app',true), set_config('x.t','a',true)");
await db.query("INSERT INTO k.scope (tenant_id) VALUES ('a')");
await db.exec("SET TRANSACTION READ ONLY");
await db.query("SELECT set_config('role','ro',true)");
console.log(
  (await db.query("EXPLAIN (VERBOSE, FORMAT JSON) SELECT count(*) FROM kd.v")).rows[0]["QUERY PLAN"][0].Plan,
);
const t0 = performance.now();
console.log(
  (await db.query("SELECT count(*) FROM kd.v")).rows,
  performance.now() - t0,
  (await db.query("SELECT set_config('x.t','b',true), (SELECT count(*) FROM kd.v)")).rows,
);
try {
  await db.query("INSERT INTO k.scope (tenant_id) VALUES ('b')");
} catch (e) {
  console.log("insert:", e.message);
}
await db.exec("ROLLBACK");
console.log((await db.query("SELECT count(*) FROM k.scope")).rows);

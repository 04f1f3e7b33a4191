/**
 * A host application's own data for the SQL tool's tests and `npm run bench:sql`: two tenant-scoped tables in
 * the host's schema `shop` (customers, and orders referencing them), row-level security on `tenant_id`, a
 * deterministic generator, the two dataset registrations, and the benchmark's questions with reference SQL.
 * The reference SQL reads the base tables directly as the owner with an explicit tenant filter — a path
 * independent of the tool (no views, no RLS, no validator) — so its result is the expected result set.
 */

/** DDL of the host tables; `appRole` is the store's app role (the host's policy is scoped to it). */
export function shopSchemaSql(appRole = "ragkit_app") {
  return `
CREATE SCHEMA IF NOT EXISTS shop;
CREATE TABLE IF NOT EXISTS shop.customers (
  id integer NOT NULL, tenant_id text NOT NULL, name text NOT NULL, segment text NOT NULL,
  country text NOT NULL, signed_up date NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE IF NOT EXISTS shop.orders (
  id integer NOT NULL, tenant_id text NOT NULL, customer_id integer NOT NULL, ordered_on date NOT NULL,
  status text NOT NULL, category text NOT NULL, quantity integer NOT NULL, amount numeric(10, 2) NOT NULL,
  PRIMARY KEY (tenant_id, id));
ALTER TABLE shop.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE shop.customers FORCE ROW LEVEL SECURITY;
ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE shop.orders FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS app_tenant ON shop.customers;
DROP POLICY IF EXISTS app_tenant ON shop.orders;
CREATE POLICY app_tenant ON shop.customers TO ${appRole} USING (tenant_id = current_setting('ragkit.tenant_id', true));
CREATE POLICY app_tenant ON shop.orders TO ${appRole} USING (tenant_id = current_setting('ragkit.tenant_id', true));
`;
}

const SEGMENTS = ["Enterprise", "SMB", "Consumer"];
const COUNTRIES = ["Germany", "France", "Spain", "Italy"];
const CATEGORIES = ["Hardware", "Software", "Services"];
const STATUSES = ["shipped", "shipped", "shipped", "pending", "cancelled"];

/** Deterministic rows for one tenant (a linear congruential generator seeded by the tenant id). */
export function shopRows(tenantId, { customers = 24, orders = 360 } = {}) {
  let seed = [...tenantId].reduce((s, c) => (s * 31 + c.charCodeAt(0)) >>> 0, 7);
  const next = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const customerRows = Array.from({ length: customers }, (_, i) => ({
    id: i + 1,
    tenant_id: tenantId,
    name: `${tenantId}-customer-${String(i + 1).padStart(2, "0")}`,
    segment: pick(SEGMENTS),
    country: pick(COUNTRIES),
    signed_up: `${2023 + Math.floor(next() * 2)}-${String(1 + Math.floor(next() * 12)).padStart(2, "0")}-01`,
  }));
  const orderRows = Array.from({ length: orders }, (_, i) => {
    const quantity = 1 + Math.floor(next() * 9);
    const category = pick(CATEGORIES);
    const price = { Hardware: 120, Software: 45, Services: 300 }[category];
    return {
      id: i + 1,
      tenant_id: tenantId,
      customer_id: 1 + Math.floor(next() * customers),
      ordered_on: `${2024 + Math.floor(next() * 2)}-${String(1 + Math.floor(next() * 12)).padStart(2, "0")}-${String(1 + Math.floor(next() * 28)).padStart(2, "0")}`,
      status: pick(STATUSES),
      category,
      quantity,
      amount: Math.round(quantity * price * (0.8 + next() * 0.4) * 100) / 100,
    };
  });
  return { customers: customerRows, orders: orderRows };
}

/** Inserts a tenant's rows as the owner (`query(sql, params)` of a superuser/owner connection). */
export async function seedShop(query, tenantId, sizes) {
  const { customers, orders } = shopRows(tenantId, sizes);
  await query(
    `INSERT INTO shop.customers SELECT * FROM json_populate_recordset(NULL::shop.customers, $1::json)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(customers)],
  );
  await query(
    `INSERT INTO shop.orders SELECT * FROM json_populate_recordset(NULL::shop.orders, $1::json)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(orders)],
  );
  return { customers, orders };
}

export const customersDataset = {
  name: "customers",
  description: "The workspace's customers: one row per customer.",
  source: { table: "shop.customers" },
  columns: [
    { name: "id", role: "key", description: "Customer id (orders.customer_id)." },
    { name: "name", role: "attribute", description: "Customer name." },
    { name: "segment", role: "dimension", description: "Enterprise, SMB or Consumer." },
    { name: "country", role: "dimension", description: "Country of the customer." },
    { name: "signed_up", role: "time", description: "Month the customer signed up." },
  ],
  synonyms: ["customer", "clients"],
};

export const ordersDataset = {
  name: "orders",
  description: "Orders placed by the workspace's customers: one row per order.",
  source: { table: "shop.orders" },
  columns: [
    { name: "id", role: "key", description: "Order id." },
    { name: "customer_id", role: "key", description: "The ordering customer (customers.id)." },
    { name: "ordered_on", role: "time", description: "Day the order was placed." },
    { name: "status", role: "dimension", description: "shipped, pending or cancelled." },
    {
      name: "category",
      role: "dimension",
      description: "Hardware, Software or Services.",
      synonyms: ["product category"],
    },
    { name: "quantity", role: "measure", description: "Items in the order.", synonyms: ["items"] },
    {
      name: "amount",
      role: "measure",
      description: "Order value in EUR.",
      synonyms: ["revenue", "sales", "order value"],
    },
  ],
  relationships: [{ column: "customer_id", references: { dataset: "customers", column: "id" } }],
  synonyms: ["order"],
};

const O = "shop.orders o";
const C = "shop.customers c";
const T = (alias) => `${alias}.tenant_id = $1`;
const J = `${O} JOIN ${C} ON c.id = o.customer_id AND c.tenant_id = o.tenant_id`;

/**
 * The benchmark: questions a user of the host app might ask, each with reference SQL over the base tables
 * ($1 = tenant). Some are outside what the offline translator understands (filters, listings, ratios): they
 * count against its accuracy, as they should.
 */
export const SHOP_QUESTIONS = [
  ["What is the total amount?", `SELECT sum(amount) FROM ${O} WHERE ${T("o")}`],
  ["Total revenue by category", `SELECT category, sum(amount) FROM ${O} WHERE ${T("o")} GROUP BY 1`],
  ["How many orders are there?", `SELECT count(*) FROM ${O} WHERE ${T("o")}`],
  ["How many orders per status?", `SELECT status, count(*) FROM ${O} WHERE ${T("o")} GROUP BY 1`],
  ["Total quantity by category", `SELECT category, sum(quantity) FROM ${O} WHERE ${T("o")} GROUP BY 1`],
  [
    "Revenue by category in 2025",
    `SELECT category, sum(amount) FROM ${O} WHERE ${T("o")} AND ordered_on >= '2025-01-01' AND ordered_on < '2026-01-01' GROUP BY 1`,
  ],
  [
    "Total amount in 2024",
    `SELECT sum(amount) FROM ${O} WHERE ${T("o")} AND ordered_on >= '2024-01-01' AND ordered_on < '2025-01-01'`,
  ],
  [
    "Monthly revenue",
    `SELECT date_trunc('month', ordered_on)::date, sum(amount) FROM ${O} WHERE ${T("o")} GROUP BY 1`,
  ],
  [
    "Monthly revenue in 2025",
    `SELECT date_trunc('month', ordered_on)::date, sum(amount) FROM ${O} WHERE ${T("o")} AND ordered_on >= '2025-01-01' AND ordered_on < '2026-01-01' GROUP BY 1`,
  ],
  [
    "Yearly revenue",
    `SELECT date_part('year', ordered_on)::int, sum(amount) FROM ${O} WHERE ${T("o")} GROUP BY 1`,
  ],
  [
    "Number of orders per month in 2024",
    `SELECT date_trunc('month', ordered_on)::date, count(*) FROM ${O} WHERE ${T("o")} AND ordered_on >= '2024-01-01' AND ordered_on < '2025-01-01' GROUP BY 1`,
  ],
  [
    "Top category by revenue",
    `SELECT category, sum(amount) FROM ${O} WHERE ${T("o")} GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
  ],
  [
    "Bottom category by quantity",
    `SELECT category, sum(quantity) FROM ${O} WHERE ${T("o")} GROUP BY 1 ORDER BY 2 ASC LIMIT 1`,
  ],
  [
    "Top 2 statuses by number of orders",
    `SELECT status, count(*) FROM ${O} WHERE ${T("o")} GROUP BY 1 ORDER BY 2 DESC LIMIT 2`,
  ],
  ["Average amount", `SELECT round(avg(amount), 2) FROM ${O} WHERE ${T("o")}`],
  [
    "Average amount by category",
    `SELECT category, round(avg(amount), 2) FROM ${O} WHERE ${T("o")} GROUP BY 1`,
  ],
  [
    "Average revenue per month",
    `SELECT round(avg(s), 2) FROM (SELECT date_trunc('month', ordered_on), sum(amount) s FROM ${O} WHERE ${T("o")} GROUP BY 1) m`,
  ],
  [
    "Average monthly revenue by category",
    `SELECT category, round(avg(s), 2) FROM (SELECT date_trunc('month', ordered_on), category, sum(amount) s FROM ${O} WHERE ${T("o")} GROUP BY 1, 2) m GROUP BY 1`,
  ],
  ["Revenue by segment", `SELECT c.segment, sum(o.amount) FROM ${J} WHERE ${T("o")} GROUP BY 1`],
  ["Revenue by country", `SELECT c.country, sum(o.amount) FROM ${J} WHERE ${T("o")} GROUP BY 1`],
  ["How many orders per segment?", `SELECT c.segment, count(*) FROM ${J} WHERE ${T("o")} GROUP BY 1`],
  [
    "Top country by revenue",
    `SELECT c.country, sum(o.amount) FROM ${J} WHERE ${T("o")} GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
  ],
  [
    "Quantity by country in 2025",
    `SELECT c.country, sum(o.quantity) FROM ${J} WHERE ${T("o")} AND o.ordered_on >= '2025-01-01' AND o.ordered_on < '2026-01-01' GROUP BY 1`,
  ],
  [
    "Revenue by segment and category",
    `SELECT c.segment, o.category, sum(o.amount) FROM ${J} WHERE ${T("o")} GROUP BY 1, 2`,
  ],
  ["How many customers are there?", `SELECT count(*) FROM ${C} WHERE ${T("c")}`],
  ["How many customers per segment?", `SELECT segment, count(*) FROM ${C} WHERE ${T("c")} GROUP BY 1`],
  ["Number of customers by country", `SELECT country, count(*) FROM ${C} WHERE ${T("c")} GROUP BY 1`],
  [
    "Top country by number of customers",
    `SELECT country, count(*) FROM ${C} WHERE ${T("c")} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  ],
  [
    "How many customers signed up per year?",
    `SELECT date_part('year', signed_up)::int, count(*) FROM ${C} WHERE ${T("c")} GROUP BY 1`,
  ],
  [
    "Monthly revenue by category",
    `SELECT date_trunc('month', ordered_on)::date, category, sum(amount) FROM ${O} WHERE ${T("o")} GROUP BY 1, 2`,
  ],
  // Beyond the offline translator: filters on values, listings, ratios, per-entity questions.
  [
    "What is the revenue of shipped orders?",
    `SELECT sum(amount) FROM ${O} WHERE ${T("o")} AND status = 'shipped'`,
  ],
  [
    "How many cancelled orders are there?",
    `SELECT count(*) FROM ${O} WHERE ${T("o")} AND status = 'cancelled'`,
  ],
  [
    "Revenue from German customers",
    `SELECT sum(o.amount) FROM ${J} WHERE ${T("o")} AND c.country = 'Germany'`,
  ],
  [
    "Which 3 customers spent the most?",
    `SELECT c.name, sum(o.amount) FROM ${J} WHERE ${T("o")} GROUP BY 1 ORDER BY 2 DESC LIMIT 3`,
  ],
  ["What is the largest single order amount?", `SELECT max(amount) FROM ${O} WHERE ${T("o")}`],
  [
    "What share of orders was cancelled?",
    `SELECT round(100.0 * count(*) FILTER (WHERE status = 'cancelled') / count(*), 1) FROM ${O} WHERE ${T("o")}`,
  ],
  [
    "How many customers have never ordered?",
    `SELECT count(*) FROM ${C} WHERE ${T("c")} AND NOT EXISTS (SELECT 1 FROM shop.orders o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id)`,
  ],
  [
    "Average order amount for Enterprise customers",
    `SELECT round(avg(o.amount), 2) FROM ${J} WHERE ${T("o")} AND c.segment = 'Enterprise'`,
  ],
  [
    "Revenue in March 2025",
    `SELECT sum(amount) FROM ${O} WHERE ${T("o")} AND ordered_on >= '2025-03-01' AND ordered_on < '2025-04-01'`,
  ],
  [
    "Number of distinct customers who ordered Software",
    `SELECT count(DISTINCT customer_id) FROM ${O} WHERE ${T("o")} AND category = 'Software'`,
  ],
  ["List the orders over 2500 EUR", `SELECT id, amount FROM ${O} WHERE ${T("o")} AND amount > 2500`],
  [
    "Pending revenue by country",
    `SELECT c.country, sum(o.amount) FROM ${J} WHERE ${T("o")} AND o.status = 'pending' GROUP BY 1`,
  ],
].map(([question, reference]) => ({ question, reference }));

/** A result set as a sorted multiset of rows (column names ignored; numbers to 2 decimals; dates as ISO days). */
export function resultKey(rows) {
  const cell = (v) => {
    if (v === null || v === undefined) return "∅";
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    const n =
      typeof v === "number" || typeof v === "bigint"
        ? Number(v)
        : typeof v === "string" && /^[-+]?\d+(\.\d+)?$/.test(v)
          ? Number(v)
          : null;
    return n === null ? String(v) : n.toFixed(2);
  };
  return rows
    .map((r) => Object.values(r).map(cell).join("|"))
    .sort()
    .join("\n");
}

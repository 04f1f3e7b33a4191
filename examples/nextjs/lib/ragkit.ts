import { exampleSalesDataset } from "@ragkit/core";
import { createRagHandler, type RagHandler } from "@ragkit/server";

// One handler per server process, surviving Next's module reloads in development.
const globalForRagKit = globalThis as unknown as { ragkit?: RagHandler };

export function ragkit(): RagHandler {
  globalForRagKit.ragkit ??= createRagHandler({
    // Postgres with pgvector in production; an on-disk PGlite for local development.
    database: process.env.DATABASE_URL ?? process.env.RAGKIT_DATA_DIR ?? ".ragkit/nextjs",
    basePath: "/api/rag",
    auth: { jwtSecret: process.env.JWT_SECRET ?? missing("JWT_SECRET") },
    autoProvisionTenants: true,
    // Tables the agent may answer questions from (see docs/sql-tool.md). The example sales table ships with
    // RagKit; your own is registered the same way, e.g.
    //   { name: "orders", description: "…", source: { table: "shop.orders" },
    //     columns: [{ name: "amount", role: "measure" }, { name: "status", role: "dimension" }] }
    // (a text tenant_id column and row-level security on it are required; tenant_id is never exposed).
    datasets: [exampleSalesDataset()],
  });
  return globalForRagKit.ragkit;
}

function missing(name: string): never {
  throw new Error(`Set ${name} (the secret your auth provider signs JWTs with, at least 32 characters).`);
}

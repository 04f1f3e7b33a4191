import { KnowledgeStore } from "@ragkit/core";
import { contracts, type RouteName, routeTable } from "@ragkit/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRagHandler, type RagHandler } from "../src/index.js";
import { defaultRoutes } from "../src/routes.js";
import { type Served, serve } from "./support.js";
import { TEST_SECRET } from "./tokens.js";

let store: KnowledgeStore;
let handler: RagHandler;
let served: Served;

beforeAll(async () => {
  store = await KnowledgeStore.open();
  handler = createRagHandler({
    store,
    auth: { jwtSecret: TEST_SECRET },
    basePath: "/api/rag",
    ingestion: { worker: false },
  });
  served = await serve(handler);
});
afterAll(async () => {
  await served?.close();
  await handler?.close();
  await store?.close();
});

interface OpenApi {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<
    string,
    Record<
      string,
      {
        summary: string;
        responses: Record<string, unknown>;
        security?: unknown[];
        requestBody?: { content: Record<string, unknown> };
        parameters: Array<{ name: string; in: string }>;
      }
    >
  >;
}

describe("GET /openapi.json", () => {
  it("documents every route of the handler, without auth, under the base path", async () => {
    const res = await fetch(`${served.url}/api/rag/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApi;
    expect(doc.openapi).toBe("3.0.3");
    expect(doc.servers[0]!.url).toBe(`${served.url}/api/rag`);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.length).toBe(defaultRoutes.length);
    expect(doc.paths["/health"]!.get!.security).toEqual([]);
    expect(doc.paths["/documents/{id}"]!.get!.parameters).toContainEqual(
      expect.objectContaining({ name: "id", in: "path" }),
    );
    expect(Object.keys(doc.paths["/documents"]!.post!.requestBody!.content)).toEqual([
      "application/json",
      "multipart/form-data",
    ]);
    expect(doc.paths["/documents"]!.get!.parameters.map((p) => p.name)).toEqual([
      "limit",
      "cursor",
      "status",
    ]);
    expect(doc.paths["/search"]!.post!.responses).toHaveProperty("429");
  });

  it("serves exactly the protocol's route table, each route once", () => {
    // The contract is the one place a route is declared: a route the handler does not serve, or serves twice,
    // would be documented (and typed for clients) without answering.
    const served = defaultRoutes.map((r) => r.name).sort();
    expect(served).toEqual((Object.keys(routeTable) as RouteName[]).sort());
  });

  it("takes summaries, schemas and operation ids from the contracts", async () => {
    const doc = (await (await fetch(`${served.url}/api/rag/openapi.json`)).json()) as OpenApi;
    const search = doc.paths["/search"]!.post! as unknown as { summary: string; operationId: string };
    expect(search.summary).toBe(contracts.search.summary);
    expect(search.operationId).toBe("search");
    const threads = doc.paths["/threads"]!.get!;
    expect(threads.parameters.map((p) => p.name)).toEqual(["limit", "before"]);
    const remove = doc.paths["/connectors/{id}"]!.delete!;
    expect(remove.parameters.map((p) => p.name)).toEqual(["id", "deleteDocuments"]);
  });
});

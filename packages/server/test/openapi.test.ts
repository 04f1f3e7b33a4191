import { KnowledgeStore } from "@ragkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRagHandler, type RagHandler } from "../src/index.js";
import { undocumentedRoutes } from "../src/openapi/document.js";
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

  it("has a written summary for every route (no generic placeholders)", () => {
    expect(undocumentedRoutes(defaultRoutes)).toEqual([]);
  });
});

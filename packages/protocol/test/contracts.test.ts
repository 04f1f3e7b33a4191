import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  contracts,
  type PathArgs,
  pathTo,
  type RequestBody,
  type RequestQuery,
  type ResponseBody,
  type RouteName,
  type RouteSchemas,
  routeTable,
} from "../src/index.js";

const names = Object.keys(routeTable) as RouteName[];

describe("route contracts", () => {
  it("has one contract per route of the table, with the table's method and path", () => {
    expect(Object.keys(contracts).sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(contracts[name].method, name).toBe(routeTable[name].method);
      expect(contracts[name].path, name).toBe(routeTable[name].path);
      expect(contracts[name].summary.length, name).toBeGreaterThan(0);
    }
  });

  it("declares each method and path once", () => {
    const keys = names.map((n) => `${routeTable[n].method} ${routeTable[n].path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("answers with a JSON schema, a stream or a described body, never nothing", () => {
    for (const name of names) {
      const { response }: RouteSchemas = contracts[name];
      const kinds = [response.schema, response.sse, response.description].filter((x) => x !== undefined);
      expect(kinds.length, name).toBeGreaterThan(0);
      if (response.schema) expect(response.schema, name).toBeInstanceOf(z.ZodType);
      if (response.status === 204) expect(response.schema, name).toBeUndefined();
    }
  });

  it("names every input a route validates, for the 400's message", () => {
    for (const name of names) {
      const c = contracts[name] as { body?: unknown; query?: unknown; what?: string };
      if (c.body || c.query) expect(c.what, name).toMatch(/\w/);
    }
  });

  it("builds paths with every parameter encoded, and refuses a missing one", () => {
    expect(pathTo("search")).toBe("/search");
    expect(pathTo("getDocument", { id: "a/b" })).toBe("/documents/a%2Fb");
    expect(pathTo("copilotkitStop", { agentId: "rag kit", threadId: "t?1" })).toBe(
      "/copilotkit/agent/rag%20kit/stop/t%3F1",
    );
    const unchecked = pathTo as (name: RouteName, ...args: unknown[]) => string;
    expect(() => unchecked("getDocument")).toThrow(/missing parameter "id"/);
  });

  it("types inputs and answers from the schemas", () => {
    // Compile-time checks: a wrong shape here fails `npm run typecheck`.
    const body: RequestBody<"search"> = { query: "q", mode: "hybrid", topK: 5 };
    const query: RequestQuery<"listThreads"> = { limit: 10 };
    const answer: ResponseBody<"getRun">["run"]["status"] = "completed";
    const noParams: PathArgs<"listDocuments"> = [];
    const params: PathArgs<"getThread"> = [{ id: "t" }];
    // @ts-expect-error a route without a body has no RequestBody
    const none: RequestBody<"getDocument"> = { query: "q" };
    expect([body.query, query.limit, answer, noParams.length, params[0].id, none]).toBeDefined();
  });
});

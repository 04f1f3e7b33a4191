import { errorBodySchema, errorStatus } from "@ragkit/protocol";
import { z } from "zod";
import type { Route } from "../router.js";
import { type OperationDoc, operations } from "./operations.js";

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema =>
  z.toJSONSchema(schema, { target: "openapi-3.0", io, unrepresentable: "any" }) as JsonSchema;

/** `/documents/:id` → `/documents/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function errorResponses(auth: boolean): Record<string, unknown> {
  const error = { $ref: "#/components/schemas/Error" };
  const statuses = new Set<number>([400, 404, 500]);
  if (auth) for (const s of [401, 403, 429]) statuses.add(s);
  return Object.fromEntries(
    [...statuses].map((status) => {
      const codes = Object.entries(errorStatus)
        .filter(([, s]) => s === status)
        .map(([code]) => code);
      return [
        String(status),
        { description: `Error (${codes.join(", ")})`, content: { "application/json": { schema: error } } },
      ];
    }),
  );
}

function queryParameters(schema: z.ZodType | undefined): unknown[] {
  if (!schema) return [];
  const json = toSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

function operation(route: Route, doc: OperationDoc | undefined): Record<string, unknown> {
  const auth = route.auth !== false;
  const pathParams = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const success = doc?.success ?? { status: 200, description: "Success" };
  const content = success.schema
    ? { "application/json": { schema: toSchema(success.schema, "output") } }
    : success.sse
      ? { "text/event-stream": { schema: { type: "string", description: success.sse } } }
      : undefined;
  const body = doc?.body
    ? {
        required: true,
        content: {
          "application/json": { schema: toSchema(doc.body, "input") },
          ...(doc.multipart
            ? {
                "multipart/form-data": {
                  schema: {
                    type: "object",
                    properties: {
                      file: { type: "array", items: { type: "string", format: "binary" } },
                      metadata: { type: "string", description: "A JSON object applied to every file" },
                    },
                  },
                },
              }
            : {}),
        },
      }
    : undefined;
  return {
    summary: doc?.summary ?? `${route.method} ${route.path}`,
    ...(doc?.description ? { description: doc.description } : {}),
    tags: [doc?.tag ?? "other"],
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path)
      .replace(/[{}]/g, "")
      .split("/")
      .map(
        (p) =>
          p.charAt(0).toUpperCase() +
          p.slice(1).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => c?.toUpperCase() ?? ""),
      )
      .join("")}`,
    parameters: [...pathParams, ...queryParameters(doc?.query)],
    ...(body ? { requestBody: body } : {}),
    ...(auth ? {} : { security: [] }),
    responses: {
      [String(success.status)]: {
        description: success.description ?? "Success",
        ...(content ? { content } : {}),
      },
      ...errorResponses(auth),
    },
  };
}

/** The OpenAPI 3.0 document for a route table, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(
  routes: readonly Route[],
  info: { title?: string; version?: string; serverUrl?: string } = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const key = `${route.method} ${path}`;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, operations[key]);
  }
  return {
    openapi: "3.0.3",
    info: {
      title: info.title ?? "RagKit API",
      version: info.version ?? "1",
      description:
        "Tenant-isolated agentic RAG. The tenant always comes from the verified bearer token; tenant ids in bodies, queries or headers are ignored.",
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Error: toSchema(errorBodySchema, "output") },
    },
  };
}

/** Routes that no entry of `operations` documents (kept empty by a test). */
export function undocumentedRoutes(routes: readonly Route[]): string[] {
  return routes
    .map((r) => `${r.method} ${openApiPath(r.path)}`)
    .filter((key) => operations[key] === undefined);
}

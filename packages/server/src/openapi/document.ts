import {
  contracts,
  errorBodySchema,
  errorStatus,
  type RouteName,
  type RouteSchemas,
  type RouteSpec,
  routeTable,
} from "@ragkit/protocol";
import { z } from "zod";
import type { Route } from "../router.js";

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

function operation(name: RouteName): Record<string, unknown> {
  const route: RouteSpec = routeTable[name];
  const doc: RouteSchemas = contracts[name];
  const auth = route.auth !== false;
  const pathParams = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const success = doc.response;
  const content = success.schema
    ? { "application/json": { schema: toSchema(success.schema, "output") } }
    : success.sse
      ? { "text/event-stream": { schema: { type: "string", description: success.sse } } }
      : undefined;
  const body = doc.body
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
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    // The route table's name: stable, and what generated clients call the method.
    operationId: name,
    parameters: [...pathParams, ...queryParameters(doc.query)],
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

/**
 * The OpenAPI 3.0 document of the routes a handler serves, generated from their contracts in `@ragkit/protocol`:
 * the same zod schemas that validate the requests, and the same summaries.
 */
export function buildOpenApiDocument(
  routes: readonly Route[],
  info: { title?: string; version?: string; serverUrl?: string } = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { name } of routes) {
    const { method, path } = routeTable[name];
    const key = openApiPath(path);
    paths[key] ??= {};
    paths[key][method.toLowerCase()] = operation(name);
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

import type { KnowledgeStore } from "@ragkit/core";
import { describe, expect, it } from "vitest";
import { createRagHandler, type RagHandlerOptions, RagHandlerOptionsError } from "../src/index.js";

const fakeStore = { search: async () => [], getDocument: async () => ({}) } as unknown as KnowledgeStore;
const SECRET = "0123456789abcdef0123456789abcdef";

function issuesOf(options: unknown): string[] {
  try {
    createRagHandler(options as RagHandlerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(RagHandlerOptionsError);
    return (error as RagHandlerOptionsError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected createRagHandler to throw");
}

describe("createRagHandler options", () => {
  it("accepts a minimal JWT configuration and a custom authenticator", () => {
    expect(createRagHandler({ store: fakeStore, auth: { jwtSecret: SECRET } }).basePath).toBe("");
    expect(
      createRagHandler({ database: "memory://", auth: { jwksUrl: "https://issuer.test/jwks" } }),
    ).toBeTypeOf("function");
    expect(
      createRagHandler({
        store: fakeStore,
        basePath: "/api/rag",
        auth: { authenticate: async () => null },
        autoProvisionTenants: true,
        maxBodyBytes: 4096,
      }).basePath,
    ).toBe("/api/rag");
    expect(
      createRagHandler({
        store: fakeStore,
        auth: { jwtSecret: new Uint8Array(32), algorithms: ["HS256", "HS512"], audience: false },
      }),
    ).toBeTypeOf("function");
  });

  it("accepts an egress allow-list of addresses, ranges, names and *.domains", () => {
    expect(
      createRagHandler({
        store: fakeStore,
        auth: { jwtSecret: SECRET },
        connectors: {
          egress: {
            allow: [
              "10.0.0.0/8",
              "127.0.0.1",
              "::1",
              "fd00::/8",
              "minio.internal",
              "*.corp.example",
              "MinIO.Internal.",
            ],
            maxRedirects: 0,
            resolve: async () => [],
          },
        },
      }),
    ).toBeTypeOf("function");
  });

  it("produces one readable line per problem", () => {
    expect(() =>
      createRagHandler({ store: fakeStore, auth: { jwtSecret: "short" }, basePath: "api/" }),
    ).toThrow(
      'Invalid createRagHandler options: basePath: must be "" or a path such as "/api/rag" (no trailing slash); auth.jwtSecret: must be at least 32 bytes',
    );
  });

  it.each<[string, unknown, string]>([
    ["no options", undefined, "(root): options must be an object"],
    ["no auth", { store: fakeStore }, "auth: is required"],
    [
      "no store or database",
      { auth: { jwtSecret: SECRET } },
      "(root): pass exactly one of store or database",
    ],
    [
      "both store and database",
      { store: fakeStore, database: "memory://", auth: { jwtSecret: SECRET } },
      "(root): pass exactly one of store or database",
    ],
    ["a non-store", { store: {}, auth: { jwtSecret: SECRET } }, "store: must be a KnowledgeStore"],
    [
      "a short secret",
      { store: fakeStore, auth: { jwtSecret: "x".repeat(31) } },
      "auth.jwtSecret: must be at least 32",
    ],
    [
      "neither secret nor JWKS",
      { store: fakeStore, auth: {} },
      "auth: configure one of jwtSecret or jwksUrl",
    ],
    [
      "both secret and JWKS",
      { store: fakeStore, auth: { jwtSecret: SECRET, jwksUrl: "https://x.test/jwks" } },
      "auth: configure either jwtSecret or jwksUrl, not both",
    ],
    [
      "plain-http JWKS",
      { store: fakeStore, auth: { jwksUrl: "http://issuer.test/jwks" } },
      "auth.jwksUrl: must use https",
    ],
    [
      "a relative JWKS URL",
      { store: fakeStore, auth: { jwksUrl: "/jwks" } },
      "auth.jwksUrl: must be an absolute URL",
    ],
    [
      "RS256 with a secret",
      { store: fakeStore, auth: { jwtSecret: SECRET, algorithms: ["RS256"] } },
      "auth.algorithms.0: RS256 needs a public key",
    ],
    [
      "HS256 with JWKS",
      { store: fakeStore, auth: { jwksUrl: "https://x.test/jwks", algorithms: ["HS256"] } },
      "auth.algorithms.0: HS256 is a shared-secret algorithm",
    ],
    [
      "alg none",
      { store: fakeStore, auth: { jwtSecret: SECRET, algorithms: ["none"] } },
      "auth.algorithms.0",
    ],
    [
      "a bad claim path",
      { store: fakeStore, auth: { jwtSecret: SECRET, tenantClaim: "a..b" } },
      "auth.tenantClaim",
    ],
    [
      "a typo in auth",
      { store: fakeStore, auth: { jwtSecret: SECRET, tenantclaim: "x" } },
      "auth: Unrecognized key",
    ],
    [
      "a typo at the top",
      { store: fakeStore, auth: { jwtSecret: SECRET }, basepath: "/x" },
      "(root): Unrecognized key",
    ],
    [
      "a trailing slash",
      { store: fakeStore, auth: { jwtSecret: SECRET }, basePath: "/api/" },
      "basePath: must be",
    ],
    [
      "a zero body limit",
      { store: fakeStore, auth: { jwtSecret: SECRET }, maxBodyBytes: 0 },
      "maxBodyBytes: must be ≥ 1",
    ],
    [
      "a non-function authenticate",
      { store: fakeStore, auth: { authenticate: "yes" } },
      "auth.authenticate: must be a function",
    ],
    ...[
      "10.0.0.0/33",
      "::1/129",
      "minio.internal/8",
      "*.10.0.0.1",
      "a b",
      "a*b.example",
      "",
      "x@y",
      "1.2.3.4/8/1",
    ].map((entry): [string, unknown, string] => [
      `the egress allow-list entry ${JSON.stringify(entry)}`,
      {
        store: fakeStore,
        auth: { jwtSecret: SECRET },
        connectors: { egress: { allow: ["10.0.0.0/8", entry] } },
      },
      `connectors.egress.allow.1: must be an IP address, a CIDR range, a host name or "*.domain"`,
    ]),
    [
      "the removed allowPrivateNetworks switch",
      { store: fakeStore, auth: { jwtSecret: SECRET }, connectors: { allowPrivateNetworks: true } },
      "connectors: Unrecognized key",
    ],
    [
      "too many redirects",
      { store: fakeStore, auth: { jwtSecret: SECRET }, connectors: { egress: { maxRedirects: 50 } } },
      "connectors.egress.maxRedirects",
    ],
    [
      "negative clock tolerance",
      { store: fakeStore, auth: { jwtSecret: SECRET, clockToleranceSec: -1 } },
      "auth.clockToleranceSec",
    ],
  ])("rejects %s", (_, options, expected) => {
    expect(issuesOf(options).join("\n")).toContain(expected);
  });
});

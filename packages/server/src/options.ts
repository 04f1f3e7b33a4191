import type {
  ChunkOptions,
  DatasetSpecInput,
  EgressOptions,
  HostResolver,
  KnowledgeStore,
} from "@ragkit/core";
import { z } from "zod";
import { type AgentHandlerOptions, agentOptionsSchema } from "./runs/options.js";

/** Who is calling, as established by the authenticator. Never taken from the request body, query or headers. */
export interface RequestIdentity {
  tenantId: string;
  userId?: string | null;
}

/**
 * A custom authenticator: verify the request however you like and return the identity, or `null` to answer
 * 401. A thrown error is treated as a server fault (500), not as "unauthenticated".
 */
export type Authenticate = (request: Request) => Promise<RequestIdentity | null>;

export type JwtAlgorithm =
  | "HS256"
  | "HS384"
  | "HS512"
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA";

/** A claim path: `"app_metadata.tenant_id"`, or segments (`["https://example.com/claims", "tenant"]`) for names with dots. */
export type ClaimPath = string | readonly string[];

/** Bearer-JWT authentication (Supabase, Auth0, Clerk, Cognito, …). Configure exactly one of `jwtSecret` / `jwksUrl`. */
export interface JwtAuthOptions {
  /** HMAC secret (HS256 by default); at least 32 bytes. */
  jwtSecret?: string | Uint8Array;
  /** A JWKS endpoint with the issuer's public keys (RS256/ES256 by default). https, or http on loopback only. */
  jwksUrl?: string | URL;
  /** Accepted algorithms; must match the key type (HS* for a secret, asymmetric for JWKS). */
  algorithms?: readonly JwtAlgorithm[];
  /** Required `iss` (one of). Unchecked when omitted. */
  issuer?: string | readonly string[];
  /** Required `aud` (one of). Default `"authenticated"` (Supabase); `false` skips the check. */
  audience?: string | readonly string[] | false;
  /** Allowed clock skew for `exp`/`nbf`/`iat`, in seconds. Default 5. */
  clockToleranceSec?: number;
  /** Where the tenant id sits in the payload. Default `"tenant_id"`. */
  tenantClaim?: ClaimPath;
  /** Where the user id sits in the payload. Default `"sub"`. */
  userClaim?: ClaimPath;
}

export interface CustomAuthOptions {
  authenticate: Authenticate;
}

export type AuthOptions = JwtAuthOptions | CustomAuthOptions;

export interface ErrorContext {
  requestId: string;
  request: Request;
}

/** Document uploads and the ingestion worker. */
export interface IngestionOptions {
  /**
   * Run ingestion workers inside this handler's process (default `true`). Turn it off when separate worker
   * processes (`ragkit worker`) drain the shared job table.
   */
  worker?: boolean;
  /** Jobs processed at once by this process's worker. Default 1 (embedding is the bottleneck, not CPU). */
  concurrency?: number;
  /** Largest accepted file, in bytes (413 above it). Default 50 MiB. */
  maxFileBytes?: number;
  /** Most files in one upload request. Default 20. */
  maxFiles?: number;
  /** Chunking used by this process's worker (strategy, chunkSize, chunkOverlap; see core's `ChunkOptions`). */
  chunking?: Omit<ChunkOptions, "signal">;
}

/** Cross-origin access for browser apps served from another origin. Off unless configured. */
export interface CorsOptions {
  /** Allowed origins: `"*"`, a list of exact origins (`"https://app.example.com"`), or a predicate. */
  origins: "*" | readonly string[] | ((origin: string) => boolean);
  /** Send `Access-Control-Allow-Credentials: true` (not allowed together with `"*"`). Default false. */
  credentials?: boolean;
  /** How long browsers may cache a preflight answer, in seconds. Default 600. */
  maxAgeSec?: number;
}

/** A budget of `limit` requests per `windowSec` seconds (sliding window). */
export interface RateLimitRuleOptions {
  limit: number;
  windowSec: number;
}

/**
 * Per-user and per-tenant request budgets, counted in the shared database so that they hold across replicas.
 * Requests over budget get 429 with `Retry-After`. Health, readiness and preflight requests are not counted.
 */
export interface RateLimitOptions {
  perUser?: RateLimitRuleOptions;
  perTenant?: RateLimitRuleOptions;
}

/** What tenants may configure through the connectors API (connectors run on the server, with its access). */
export interface ConnectorPolicyOptions {
  /** Kinds tenants may create over HTTP. Default `["s3", "sharepoint", "urls"]`; `dir` also needs `dirRoots`. */
  kinds?: ReadonlyArray<"s3" | "sharepoint" | "dir" | "urls">;
  /** Absolute directories a `dir` connector's root must be inside. Default none. */
  dirRoots?: readonly string[];
  /**
   * Where connectors may connect (URL lists, S3 endpoints, SharePoint/Graph, and every redirect hop): each
   * connection's address is resolved once, checked and pinned. Default: public addresses only. Allow private
   * endpoints explicitly, e.g. `{ allow: ["10.0.0.0/8", "minio.internal"] }` for a MinIO on the private network.
   */
  egress?: EgressOptions;
}

export interface RagHandlerOptions {
  /** The store to serve. The caller owns it (the handler never closes it). Exclusive with `database`. */
  store?: KnowledgeStore;
  /**
   * A connection string (`"memory://"`, a directory, `"postgres://…"`) to open a store lazily on the first request
   * that needs one, with core's default embedder. `handler.close()` closes it. Exclusive with `store`.
   */
  database?: string;
  /** Prefix of every route, e.g. `"/api/rag"`. Default `""`. */
  basePath?: string;
  auth: AuthOptions;
  /** Register a tenant the first time a verified token names it. Default `false`: unknown tenants get 403. */
  autoProvisionTenants?: boolean;
  /** Largest accepted request body, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Called with every unexpected error (the ones answered with 500/503). Default: `console.error`. */
  onError?: (error: unknown, context: ErrorContext) => void;
  /** Uploads and the in-process ingestion worker. */
  ingestion?: IngestionOptions;
  /**
   * CORS for browser clients on other origins (e.g. CopilotKit's `runtimeUrl` on another port or host): an
   * origin, a list of origins, `"*"`, or the full options. Default: none (same-origin only; preflights get 204
   * without CORS headers, which the browser treats as a refusal).
   *
   * ```ts
   * createRagHandler({ store, auth, cors: "http://localhost:5173" });
   * ```
   */
  cors?: "*" | string | readonly string[] | CorsOptions;
  /** Request budgets per user and per tenant. Default: none. */
  rateLimits?: RateLimitOptions;
  /** The connectors API: which kinds tenants may create, and what they may reach. */
  connectors?: ConnectorPolicyOptions;
  /** The chat agent (plain SSE, AG-UI/CopilotKit and thread routes); see docs/streaming.md. */
  agent?: AgentHandlerOptions;
  /**
   * Host tables the SQL tool may answer questions from, registered on the store before its first use
   * (`store.registerDataset`, see docs/sql-tool.md). Needs the store's owner connection.
   */
  datasets?: readonly DatasetSpecInput[];
}

const jwtAlgorithms = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const satisfies readonly JwtAlgorithm[];

const MIN_SECRET_BYTES = 32;

const claimPathSchema = z.union([
  z
    .string()
    .regex(/^[^.]+(\.[^.]+)*$/, 'must be a claim name or dot path such as "app_metadata.tenant_id"')
    .transform((s) => s.split(".")),
  z.array(z.string().min(1, "claim path segments must not be empty")).min(1, "must not be empty"),
]);

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

const jwksUrlSchema = z.union([z.string(), z.instanceof(URL)]).transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
    return z.NEVER;
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.has(url.hostname));
  if (!secure) {
    ctx.addIssue({ code: "custom", message: "must use https (plain http is allowed for localhost only)" });
    return z.NEVER;
  }
  return url;
});

const jwtAuthSchema = z
  .object({
    jwtSecret: z
      .union([
        z.string().refine((s) => new TextEncoder().encode(s).byteLength >= MIN_SECRET_BYTES, {
          message: `must be at least ${MIN_SECRET_BYTES} bytes`,
        }),
        z
          .custom<Uint8Array>(
            (v) => Object.prototype.toString.call(v) === "[object Uint8Array]",
            "must be a string or Uint8Array",
          )
          .refine((b) => b.byteLength >= MIN_SECRET_BYTES, `must be at least ${MIN_SECRET_BYTES} bytes`),
      ])
      // Always a Uint8Array of this realm (jose checks instanceof; jsdom and edge runtimes have several realms).
      .transform((s) => new Uint8Array(typeof s === "string" ? new TextEncoder().encode(s) : s))
      .optional(),
    jwksUrl: jwksUrlSchema.optional(),
    algorithms: z.array(z.enum(jwtAlgorithms)).min(1, "must list at least one algorithm").optional(),
    issuer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    audience: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1), z.literal(false)])
      .default("authenticated"),
    clockToleranceSec: z.number().min(0).max(300, "must be at most 300 seconds").default(5),
    tenantClaim: claimPathSchema.default(["tenant_id"]),
    userClaim: claimPathSchema.default(["sub"]),
  })
  .strict()
  .superRefine((auth, ctx) => {
    if (auth.jwtSecret === undefined && auth.jwksUrl === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "configure one of jwtSecret or jwksUrl (or pass an authenticate function)",
      });
    }
    if (auth.jwtSecret !== undefined && auth.jwksUrl !== undefined) {
      ctx.addIssue({ code: "custom", message: "configure either jwtSecret or jwksUrl, not both" });
    }
    const symmetric = auth.jwtSecret !== undefined;
    for (const [i, alg] of (auth.algorithms ?? []).entries()) {
      if (alg.startsWith("HS") !== symmetric) {
        ctx.addIssue({
          code: "custom",
          path: ["algorithms", i],
          message: symmetric
            ? `${alg} needs a public key; with jwtSecret only HS256/HS384/HS512 are allowed`
            : `${alg} is a shared-secret algorithm; with jwksUrl only asymmetric algorithms are allowed`,
        });
      }
    }
  })
  .transform((auth) => ({
    kind: "jwt" as const,
    ...auth,
    algorithms:
      auth.algorithms ?? (auth.jwtSecret ? ["HS256" as const] : ["RS256" as const, "ES256" as const]),
  }));

const customAuthSchema = z
  .object({
    authenticate: z.custom<Authenticate>((v) => typeof v === "function", "must be a function"),
  })
  .strict()
  .transform((auth) => ({ kind: "custom" as const, ...auth }));

const MiB = 1024 * 1024;

const ingestionSchema = z
  .object({
    worker: z.boolean().default(true),
    concurrency: z
      .number()
      .int("must be an integer")
      .min(1, "must be ≥ 1")
      .max(32, "must be ≤ 32")
      .default(1),
    maxFileBytes: z
      .number()
      .int("must be an integer")
      .min(1, "must be ≥ 1")
      .max(2 * 1024 * MiB, "must be ≤ 2 GiB")
      .default(50 * MiB),
    maxFiles: z
      .number()
      .int("must be an integer")
      .min(1, "must be ≥ 1")
      .max(1000, "must be ≤ 1000")
      .default(20),
    // Validated by core when the queue is created (its own zod schema), so the rules live in one place.
    chunking: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const corsObjectSchema = z
  .object({
    origins: z.union([
      z.literal("*"),
      z.array(
        z
          .string()
          .regex(/^https?:\/\/[^/\s]+$/, 'must be an origin such as "https://app.example.com" (no path)'),
      ),
      z.custom<(origin: string) => boolean>((v) => typeof v === "function", "must be a function"),
    ]),
    credentials: z.boolean().default(false),
    maxAgeSec: z.number().int().min(0).max(86_400).default(600),
  })
  .strict()
  .refine((c) => !(c.credentials && c.origins === "*"), {
    message: 'credentials cannot be combined with origins "*" (browsers refuse it); list the origins',
  });

/** `cors: "https://app.example.com"`, `cors: [...]` and `cors: "*"` are shorthands for `{ origins }`. */
const corsSchema = z.preprocess(
  (value) =>
    typeof value === "string" || Array.isArray(value)
      ? { origins: value === "*" ? "*" : [value].flat() }
      : value,
  corsObjectSchema,
);

const rateRuleSchema = z
  .object({
    limit: z.number().int("must be an integer").min(1, "must be ≥ 1").max(1_000_000),
    windowSec: z.number().int("must be an integer").min(1, "must be ≥ 1").max(86_400, "must be ≤ 86400"),
  })
  .strict();

/**
 * An egress allow-list entry, read with the URL host parser (core's EgressPolicy reads it the same way when
 * the connectors API is first used; checking it here makes a typo fail at startup, and keeps the handler
 * free of Node-only imports).
 */
function isAllowEntry(entry: string): boolean {
  const [address = "", prefix, extra] = entry.split("/");
  const name = address.startsWith("*.") ? address.slice(2) : address;
  if (extra !== undefined || name === "" || /[\s*@?#\\]/.test(name)) return false;
  let host: string;
  try {
    host = new URL(`http://${name.includes(":") ? `[${name}]` : name}/`).hostname;
  } catch {
    return false;
  }
  const family = host.startsWith("[") ? 6 : /^[\d.]+$/.test(host) ? 4 : 0;
  if (address !== name && family !== 0) return false; // "*." applies to names only
  if (prefix === undefined) return true;
  return family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const connectorPolicySchema = z
  .object({
    kinds: z
      .array(z.enum(["s3", "sharepoint", "dir", "urls"]))
      .max(4)
      .default(["s3", "sharepoint", "urls"]),
    dirRoots: z.array(z.string().regex(/^\//, "must be an absolute path")).max(100).default([]),
    egress: z
      .object({
        allow: z
          .array(
            z
              .string()
              .max(300)
              .refine(isAllowEntry, 'must be an IP address, a CIDR range, a host name or "*.domain"'),
          )
          .max(1000)
          .default([]),
        maxRedirects: z.number().int("must be an integer").min(0).max(20).default(5),
        resolve: z.custom<HostResolver>((v) => typeof v === "function", "must be a function").optional(),
      })
      .strict()
      .default({ allow: [], maxRedirects: 5 }),
  })
  .strict();

const rateLimitsSchema = z
  .object({ perUser: rateRuleSchema.optional(), perTenant: rateRuleSchema.optional() })
  .strict();

const optionsSchema = z
  .object({
    store: z
      .custom<KnowledgeStore>(
        (v) =>
          typeof v === "object" &&
          v !== null &&
          typeof (v as Partial<KnowledgeStore>).search === "function" &&
          typeof (v as Partial<KnowledgeStore>).getDocument === "function",
        "must be a KnowledgeStore (from KnowledgeStore.open())",
      )
      .optional(),
    database: z.string().min(1, "must not be empty").optional(),
    basePath: z
      .string()
      .regex(
        /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$/,
        'must be "" or a path such as "/api/rag" (no trailing slash)',
      )
      .default(""),
    auth: z.unknown(),
    autoProvisionTenants: z.boolean().default(false),
    maxBodyBytes: z
      .number()
      .int("must be an integer")
      .min(1, "must be ≥ 1")
      .max(100 * 1024 * 1024, "must be ≤ 100 MiB")
      .default(1024 * 1024),
    onError: z.custom<NonNullable<RagHandlerOptions["onError"]>>((v) => typeof v === "function").optional(),
    ingestion: ingestionSchema.default(() => ingestionSchema.parse({})),
    cors: corsSchema.optional(),
    rateLimits: rateLimitsSchema.optional(),
    connectors: connectorPolicySchema.default(() => connectorPolicySchema.parse({})),
    agent: agentOptionsSchema,
    // Shape only: core validates each spec (names, columns, source) when it registers it.
    datasets: z
      .array(z.custom<DatasetSpecInput>((v) => typeof v === "object" && v !== null, "must be a dataset spec"))
      .max(100)
      .default([]),
  })
  .strict()
  .superRefine((o, ctx) => {
    if ((o.store === undefined) === (o.database === undefined)) {
      ctx.addIssue({ code: "custom", message: "pass exactly one of store or database" });
    }
  });

/**
 * The documented interfaces above and the schemas that parse them name the same fields: a field added to one
 * but not the other fails typecheck here (the schemas are `strict`, so a documented field the schema lacked
 * would be refused at run time).
 */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { onlyInFirst: Exclude<keyof A, keyof B>; onlyInSecond: Exclude<keyof B, keyof A> };
const optionKeysAgree: [
  SameKeys<RagHandlerOptions, z.input<typeof optionsSchema>>,
  SameKeys<IngestionOptions, NonNullable<z.input<typeof ingestionSchema>>>,
  SameKeys<JwtAuthOptions, z.input<typeof jwtAuthSchema>>,
] = [true, true, true];
void optionKeysAgree;

export type ParsedJwtAuth = z.output<typeof jwtAuthSchema>;
export type ParsedCustomAuth = z.output<typeof customAuthSchema>;
export type ParsedAuth = ParsedJwtAuth | ParsedCustomAuth;
export type ParsedOptions = Omit<z.output<typeof optionsSchema>, "auth" | "onError"> & {
  auth: ParsedAuth;
  onError: NonNullable<RagHandlerOptions["onError"]>;
};

/** Thrown by `createRagHandler` when its options are invalid; `issues` has one entry per problem. */
export class RagHandlerOptionsError extends Error {
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(issues: ReadonlyArray<{ path: string; message: string }>) {
    super(`Invalid createRagHandler options: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = "RagHandlerOptionsError";
    this.issues = issues;
  }
}

type Issue = { path: ReadonlyArray<PropertyKey>; message: string };

const toIssues = (prefix: string[], issues: readonly Issue[]) =>
  issues.map((i) => ({ path: [...prefix, ...i.path.map(String)].join(".") || "(root)", message: i.message }));

const defaultOnError: NonNullable<RagHandlerOptions["onError"]> = (error, { requestId }) => {
  console.error(`[ragkit] request ${requestId} failed:`, error);
};

export function parseOptions(input: RagHandlerOptions): ParsedOptions {
  if (typeof input !== "object" || input === null) {
    throw new RagHandlerOptionsError([{ path: "(root)", message: "options must be an object" }]);
  }
  const top = optionsSchema.safeParse(input);
  const rawAuth: unknown = input.auth;
  const isCustom = typeof rawAuth === "object" && rawAuth !== null && "authenticate" in rawAuth;
  const auth =
    rawAuth === undefined
      ? null
      : isCustom
        ? customAuthSchema.safeParse(rawAuth)
        : jwtAuthSchema.safeParse(rawAuth);
  const issues = [
    ...(top.success ? [] : toIssues([], top.error.issues)),
    ...(auth === null
      ? [{ path: "auth", message: "is required ({ jwtSecret } | { jwksUrl } | { authenticate })" }]
      : auth.success
        ? []
        : toIssues(["auth"], auth.error.issues)),
  ];
  if (!top.success || !auth?.success || issues.length > 0) throw new RagHandlerOptionsError(issues);
  return { ...top.data, auth: auth.data, onError: top.data.onError ?? defaultOnError };
}

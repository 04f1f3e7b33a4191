import { createRemoteJWKSet, type JWTPayload, type JWTVerifyOptions, jwtVerify } from "jose";
import { HttpError } from "./http.js";
import type { ParsedAuth, ParsedJwtAuth, RequestIdentity } from "./options.js";

/** The identity a request proved, plus where it came from (recorded as the tenant context's `source`). */
export interface Authenticated {
  tenantId: string;
  userId: string | null;
  source: "jwt" | "custom";
}

export type Authenticator = (request: Request) => Promise<Authenticated>;

const REALM = 'Bearer realm="ragkit"';

function unauthorized(description: string | null): HttpError {
  const header = description
    ? `${REALM}, error="invalid_token", error_description="${description.replace(/["\\]/g, "")}"`
    : REALM;
  return new HttpError("unauthorized", description ?? "A bearer token is required.", {
    headers: { "www-authenticate": header },
  });
}

/** `Authorization: Bearer <token>`; the token must be a plausible compact JWS (three base64url parts). */
function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized("The token is malformed.");
  return match[1];
}

/** Follows a claim path with own-property lookups only (no prototype surprises). */
export function readClaim(payload: unknown, path: readonly string[]): unknown {
  let value: unknown = payload;
  for (const segment of path) {
    if (
      typeof value !== "object" ||
      value === null ||
      Array.isArray(value) ||
      !Object.hasOwn(value, segment)
    ) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function joseCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_J") ? code : null;
}

export function createJwtAuthenticator(auth: ParsedJwtAuth): Authenticator {
  const verifyOptions: JWTVerifyOptions = {
    algorithms: [...auth.algorithms],
    ...(auth.issuer === undefined
      ? {}
      : { issuer: typeof auth.issuer === "string" ? auth.issuer : [...auth.issuer] }),
    ...(auth.audience === false
      ? {}
      : { audience: typeof auth.audience === "string" ? auth.audience : [...auth.audience] }),
    clockTolerance: auth.clockToleranceSec,
    // A token without an expiry would be valid forever.
    requiredClaims: ["exp"],
  };
  const secret = auth.jwtSecret;
  const jwks = auth.jwksUrl ? createRemoteJWKSet(auth.jwksUrl, { timeoutDuration: 5_000 }) : null;
  const verify = (token: string) =>
    secret ? jwtVerify(token, secret, verifyOptions) : jwtVerify(token, jwks!, verifyOptions);

  return async (request) => {
    const token = bearerToken(request);
    if (token === null) throw unauthorized(null);
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(token));
    } catch (error) {
      const code = joseCode(error);
      if (code === "ERR_JWT_EXPIRED") throw unauthorized("The token has expired.");
      // The key server being down is our problem, not the caller's: do not make clients drop their session.
      if (jwks && (code === null || code === "ERR_JWKS_TIMEOUT" || code === "ERR_JWKS_INVALID")) {
        throw new HttpError("service_unavailable", "Cannot verify tokens right now; try again later.", {
          cause: error,
        });
      }
      throw unauthorized("The token is invalid.");
    }
    const tenantId = readClaim(payload, auth.tenantClaim);
    if (typeof tenantId !== "string" || tenantId === "") {
      throw new HttpError("forbidden", `The token has no tenant claim (${auth.tenantClaim.join(".")}).`);
    }
    const userId = readClaim(payload, auth.userClaim);
    return { tenantId, userId: typeof userId === "string" && userId !== "" ? userId : null, source: "jwt" };
  };
}

function customAuthenticator(
  authenticate: (request: Request) => Promise<RequestIdentity | null>,
): Authenticator {
  return async (request) => {
    const identity = await authenticate(request);
    if (identity === null || identity === undefined) throw unauthorized(null);
    if (typeof identity.tenantId !== "string" || identity.tenantId === "") {
      throw new HttpError("forbidden", "The authenticated identity has no tenant.");
    }
    const userId = identity.userId;
    return {
      tenantId: identity.tenantId,
      userId: typeof userId === "string" && userId ? userId : null,
      source: "custom",
    };
  };
}

export function createAuthenticator(auth: ParsedAuth): Authenticator {
  return auth.kind === "jwt" ? createJwtAuthenticator(auth) : customAuthenticator(auth.authenticate);
}

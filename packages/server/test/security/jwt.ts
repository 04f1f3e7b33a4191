import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { TEST_SECRET } from "../tokens.js";
import { type Answer, errorOf, held, type Verdict, wrong } from "./attempts.js";

/**
 * The JWT matrix: tokens an attacker can make, against a handler configured with an HMAC secret (the world) and
 * one configured with a JWKS of RSA keys and a required issuer (HS/RS confusion, wrong issuer). Every one must
 * be a 401 with `WWW-Authenticate` and a readable message; a verified token without a usable tenant claim is a
 * 403 (authenticated, but no tenant to act for).
 */

export interface BadToken {
  name: string;
  /** The whole Authorization header value (malformed headers are not `Bearer <token>`). */
  authorization: string;
  status: 401 | 403;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: JWTPayload = {}): JWTPayload => ({
  tenant_id: "tenant-a",
  sub: "mallory",
  aud: "authenticated",
  iat: now(),
  exp: now() + 300,
  ...extra,
});
const hs = (payload: JWTPayload, secret: string | Uint8Array = TEST_SECRET, alg = "HS256") =>
  new SignJWT(payload)
    .setProtectedHeader({ alg, typ: "JWT" })
    .sign(typeof secret === "string" ? new TextEncoder().encode(secret) : secret);
const unsigned = (payload: JWTPayload, header: Record<string, unknown> = { alg: "none", typ: "JWT" }) =>
  `${b64(header)}.${b64(payload)}.`;
/** A valid token with its payload replaced after signing (another tenant, same signature). */
const tampered = (token: string, payload: JWTPayload) => {
  const [h, , s] = token.split(".");
  return `${h}.${b64(payload)}.${s}`;
};
const bearer = (token: string) => `Bearer ${token}`;

/** Tokens against the HMAC-secret handler (audience "authenticated", no issuer configured). */
export async function hmacMatrix(): Promise<BadToken[]> {
  const attacker = await generateKeyPair("RS256");
  const valid = await hs(claims());
  const list: Array<[string, string, 401 | 403]> = [
    ["alg none", unsigned(claims()), 401],
    ["alg None (mixed case)", unsigned(claims(), { alg: "None", typ: "JWT" }), 401],
    ["alg none with a signature kept", `${unsigned(claims())}${valid.split(".")[2]}`, 401],
    ["wrong key", await hs(claims(), "another-secret-that-is-also-at-least-32-bytes-long"), 401],
    ["HS512 with the right secret (not an allowed algorithm)", await hs(claims(), TEST_SECRET, "HS512"), 401],
    [
      "RS256 signed by the attacker's key",
      await new SignJWT(claims()).setProtectedHeader({ alg: "RS256" }).sign(attacker.privateKey),
      401,
    ],
    ["expired", await hs(claims({ iat: now() - 7200, exp: now() - 3600 })), 401],
    ["no expiry", await hs(claims({ exp: undefined })), 401],
    ["nbf in the future", await hs(claims({ nbf: now() + 3600 })), 401],
    ["wrong audience", await hs(claims({ aud: "someone-else" })), 401],
    ["no audience", await hs(claims({ aud: undefined })), 401],
    [
      "tampered payload (tenant switched after signing)",
      tampered(valid, claims({ tenant_id: "tenant-b" })),
      401,
    ],
    [
      "tampered header (alg none, signature kept)",
      `${b64({ alg: "none" })}.${valid.split(".").slice(1).join(".")}`,
      401,
    ],
    ["missing tenant claim", await hs(claims({ tenant_id: undefined })), 403],
    ["empty tenant claim", await hs(claims({ tenant_id: "" })), 403],
    [
      "tenant claim is an object",
      await hs(claims({ tenant_id: { id: "tenant-b" } as unknown as string })),
      403,
    ],
    [
      "tenant claim is a list",
      await hs(claims({ tenant_id: ["tenant-a", "tenant-b"] as unknown as string })),
      403,
    ],
  ];
  const malformed: Array<[string, string]> = [
    ["empty Bearer", "Bearer "],
    ["Bearer without a JWS", "Bearer not-a-token"],
    ["four segments", `Bearer ${valid}.extra`],
    ["Basic credentials", `Basic ${Buffer.from("alice:secret").toString("base64")}`],
    ["two tokens", `Bearer ${valid}, Bearer ${valid}`],
    [
      "header segment not JSON",
      `Bearer ${Buffer.from("{not json").toString("base64url")}.${b64(claims())}.sig`,
    ],
    [
      "payload segment not JSON",
      `Bearer ${b64({ alg: "HS256" })}.${Buffer.from("[[[").toString("base64url")}.sig`,
    ],
    ["token with padding and spaces", `Bearer ${valid.replace(".", "=. ")}`],
  ];
  return [
    ...list.map(([name, token, status]) => ({ name, authorization: bearer(token), status })),
    ...malformed.map(([name, authorization]) => ({ name, authorization, status: 401 as const })),
  ];
}

export const ISSUER = "https://issuer.attack.test/";

/** A JWKS endpoint on 127.0.0.1 serving one RSA public key, and the tokens that attack a handler trusting it. */
export async function jwksMatrix(): Promise<{
  url: string;
  valid: string;
  tokens: BadToken[];
  close(): Promise<void>;
}> {
  const issuer = await generateKeyPair("RS256", { extractable: true });
  const attacker = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(issuer.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const rs = (payload: JWTPayload, key = issuer.privateKey) =>
    new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(key);
  const withIssuer = (extra: JWTPayload = {}) => claims({ iss: ISSUER, ...extra });
  const valid = await rs(withIssuer());
  const pem = new TextEncoder().encode(await exportSPKI(issuer.publicKey));
  const jwkBytes = new TextEncoder().encode(JSON.stringify(jwk));
  const list: Array<[string, string, 401 | 403]> = [
    // HS/RS confusion: the public key (PEM or JWK text) used as an HMAC secret.
    ["HS256 signed with the public key (PEM)", await hs(withIssuer(), pem), 401],
    ["HS256 signed with the public key (JWK JSON)", await hs(withIssuer(), jwkBytes), 401],
    ["alg none", unsigned(withIssuer(), { alg: "none", kid: "k1" }), 401],
    ["RS256 by another key with the issuer's kid", await rs(withIssuer(), attacker.privateKey), 401],
    ["wrong issuer", await rs(withIssuer({ iss: "https://evil.example/" })), 401],
    ["no issuer", await rs(withIssuer({ iss: undefined })), 401],
    ["expired", await rs(withIssuer({ exp: now() - 3600 })), 401],
    ["nbf in the future", await rs(withIssuer({ nbf: now() + 3600 })), 401],
    ["wrong audience", await rs(withIssuer({ aud: "someone-else" })), 401],
    ["tampered payload", tampered(valid, withIssuer({ tenant_id: "tenant-b" })), 401],
    ["missing tenant claim", await rs(withIssuer({ tenant_id: undefined })), 403],
  ];
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    valid,
    tokens: list.map(([name, token, status]) => ({ name, authorization: bearer(token), status })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The expected refusal: the status, the standard error body, a readable message, and the Bearer challenge. */
export function jwtVerdict(token: BadToken): (a: Answer) => Verdict {
  return (a) => {
    const error = errorOf(a);
    if (a.status !== token.status) return wrong(`answered ${a.status}, expected ${token.status}`);
    if (!error || error.code !== (token.status === 401 ? "unauthorized" : "forbidden"))
      return wrong(`not the standard error body: ${a.text.slice(0, 200)}`);
    if (!/^[A-Z].{8,200}\.?$/.test(error.message) || /\bat .*\.js|Error:/.test(error.message))
      return wrong(`message not readable: ${error.message}`);
    if (token.status === 401 && !/^Bearer realm=/.test(a.headers.get("www-authenticate") ?? ""))
      return wrong("no WWW-Authenticate challenge");
    return held;
  };
}

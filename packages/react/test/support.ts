import { createTenantContext, KnowledgeStore, type TenantContext } from "@ragkit/core";
import { createRagHandler, type RagHandler } from "@ragkit/server";
import { SignJWT } from "jose";
import type { FetchLike } from "../src/headless.js";

export const SECRET = "react-package-test-secret-of-at-least-32-bytes";
export const BASE_URL = "http://ragkit.test/api/rag";

export function mint(tenantId: string, userId = "user-1", expiresInSec = 300): Promise<string> {
  return (
    new SignJWT({ tenant_id: tenantId })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setAudience("authenticated")
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSec)
      // Copied into the global Uint8Array: under jsdom, jose checks keys against that realm.
      .sign(new Uint8Array(Buffer.from(SECRET)))
  );
}

/** Calls the handler in-process: no sockets. */
export function fetchVia(handler: RagHandler): FetchLike & { calls: Request[] } {
  const calls: Request[] = [];
  const fetchLike = async (input: string, init: RequestInit) => {
    // Node's Request accepts only its own AbortSignal (jsdom installs another); the handler does not need it.
    const { signal: _signal, ...rest } = init;
    const request = new Request(input, rest);
    calls.push(request.clone());
    return handler(request);
  };
  return Object.assign(fetchLike, { calls });
}

export interface Fixture {
  store: KnowledgeStore;
  handler: RagHandler;
  ctxA: TenantContext;
  ctxB: TenantContext;
  docsA: string[];
  docsB: string[];
}

export async function openFixture(): Promise<Fixture> {
  const store = await KnowledgeStore.open();
  const ctxA = createTenantContext({ tenantId: "acme", source: "system" });
  const ctxB = createTenantContext({ tenantId: "globex", source: "system" });
  await store.ensureTenant(ctxA);
  await store.ensureTenant(ctxB);
  const put = async (ctx: TenantContext, title: string, section: string, body: string, page: number) =>
    (
      await store.putDocument(ctx, {
        title,
        text: body,
        chunks: [{ text: body, start: 0, end: body.length, pageNumber: page, sectionTitle: section }],
      })
    ).document.id;
  const docsA = [
    await put(
      ctxA,
      "Travel policy",
      "Flights",
      "Economy class flights are reimbursed for trips under six hours.",
      4,
    ),
    await put(
      ctxA,
      "Expense guide",
      "Meals",
      "Meals during travel are reimbursed up to forty euros per day.",
      2,
    ),
    await put(ctxA, "Onboarding", "Laptops", "New hires receive a laptop on their first day.", 1),
  ];
  const docsB = [
    await put(ctxB, "Globex travel", "Trains", "Globex staff travel by train whenever possible.", 7),
  ];
  const handler = createRagHandler({
    store,
    basePath: "/api/rag",
    auth: { jwtSecret: SECRET },
    onError: process.env.RAGKIT_TEST_LOG ? (e: unknown) => console.error(e) : () => {},
  });
  return { store, handler, ctxA, ctxB, docsA, docsB };
}

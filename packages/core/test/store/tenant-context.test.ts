import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../src/db/driver.js";
import { RagKitError, ValidationError } from "../../src/errors/index.js";
import { KnowledgeStore } from "../../src/store/knowledge-store.js";
import { assertTenantContext, createTenantContext, type TenantContext } from "../../src/tenant/context.js";
import { startDatabase, type TestDatabase } from "../support/databases.js";
import { paragraphsDoc } from "../support/fixtures.js";

/** Synchronous throws and rejections alike, as the error value (fails the test if nothing was thrown). */
async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error, but the call succeeded");
}

describe("createTenantContext", () => {
  it.each([
    ["empty", "", /^Invalid tenant identity: tenantId: must not be empty(;|$)/],
    [
      "129 characters",
      "a".repeat(129),
      /^Invalid tenant identity: tenantId: must be at most 128 characters$/,
    ],
    ["a space", "acme corp", /tenantId: may contain only letters, digits and \. _ : @ -$/],
    ["a leading space", " acme", /tenantId: may contain only letters/],
    ["a trailing newline", "acme\n", /tenantId: may contain only letters/],
    ["a NUL byte", "acme\u0000", /tenantId: may contain only letters/],
    ["a single quote", "acme'", /tenantId: may contain only letters/],
    ["a double quote", 'acme"', /tenantId: may contain only letters/],
    ["SQL injection", "'; DROP TABLE ragkit.documents; --", /tenantId: may contain only letters/],
    ["a semicolon", "acme;", /tenantId: may contain only letters/],
    ["a path", "acme/../globex", /tenantId: may contain only letters/],
    ["a leading dash", "-acme", /tenantId: may contain only letters/],
    ["a leading dot", ".acme", /tenantId: may contain only letters/],
    ["a Cyrillic а lookalike", "\u0430cme", /tenantId: may contain only letters/],
    ["a Greek ο lookalike", "gl\u03bfbex", /tenantId: may contain only letters/],
    ["fullwidth letters", "\uff41\uff43\uff4d\uff45", /tenantId: may contain only letters/],
    ["a zero-width space", "acme\u200b", /tenantId: may contain only letters/],
    ["a one-dot leader", "acme\u2024corp", /tenantId: may contain only letters/],
    ["a combining accent", "acme\u0301", /tenantId: may contain only letters/],
    ["an emoji", "acme🚀", /tenantId: may contain only letters/],
  ])("rejects an id with %s", (_label, tenantId, message) => {
    let error: unknown;
    try {
      createTenantContext({ tenantId });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: "invalid_input" });
    const details = (error as ValidationError).details;
    expect(details.length).toBeGreaterThan(0);
    expect(details.every((d) => d.path === "tenantId")).toBe(true);
    expect((error as Error).message).toMatch(message);
    // Error texts travel to clients and logs: the offending input is not echoed back.
    if (tenantId.length > 3) expect((error as Error).message).not.toContain(tenantId);
  });

  it.each([
    ["a number", { tenantId: 42 }],
    ["null", { tenantId: null }],
    ["a missing id", {}],
    ["a bare string", "acme"],
    ["null identity", null],
    ["an empty user id", { tenantId: "acme", userId: "" }],
    ["a 33-character source", { tenantId: "acme", source: "s".repeat(33) }],
  ])("rejects %s at runtime", (_label, identity) => {
    expect(() => createTenantContext(identity as never)).toThrow(ValidationError);
    expect(() => createTenantContext(identity as never)).toThrow(/^Invalid tenant identity: /);
  });

  it.each([
    ["a", "a"],
    ["128 characters", "A".repeat(128)],
    ["every allowed character", "acme.corp_1:eu@west-2"],
  ])("accepts %s", (_label, tenantId) => {
    expect(createTenantContext({ tenantId }).tenantId).toBe(tenantId);
  });

  it("returns a frozen object with exactly the validated fields", () => {
    const identity = { tenantId: "acme", userId: "alice", source: "jwt", isAdmin: true };
    const ctx = createTenantContext(identity);
    expect(Object.isFrozen(ctx)).toBe(true);
    expect({ ...ctx }).toEqual({ tenantId: "acme", userId: "alice", source: "jwt" });
    expect(() => {
      (ctx as { tenantId: string }).tenantId = "globex";
    }).toThrow(TypeError);
    identity.tenantId = "globex";
    expect(ctx.tenantId).toBe("acme");
    expect(createTenantContext({ tenantId: "acme" })).toEqual({
      tenantId: "acme",
      userId: null,
      source: "system",
    });
  });
});

describe("assertTenantContext", () => {
  const real = createTenantContext({ tenantId: "acme", userId: "alice", source: "jwt" });

  it("accepts a context from createTenantContext", () => {
    expect(() => assertTenantContext(real)).not.toThrow();
  });

  it.each([
    ["a string", "acme"],
    ["a plain object", { tenantId: "acme" }],
    ["an unfrozen copy of a real context", { ...real }],
    ["a frozen object with an invalid id", Object.freeze({ tenantId: "'; DROP TABLE x; --" })],
    ["a frozen object with a numeric id", Object.freeze({ tenantId: 7 })],
    ["null", null],
    ["undefined", undefined],
    ["a function", () => real],
  ])("rejects %s", (_label, value) => {
    expect(() => assertTenantContext(value)).toThrow(ValidationError);
    expect(() => assertTenantContext(value)).toThrow(
      "Invalid tenant context: tenant: a TenantContext from createTenantContext() is required",
    );
  });
});

/** Store methods refuse a non-context before touching the database (PGlite, in-process). */
describe("store methods with a forged tenant context", () => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  let documentId: string;
  let driverCalls = 0;
  const acme = createTenantContext({ tenantId: "acme", userId: "alice", source: "test" });

  /** Counts every statement, exec and transaction that reaches the database. */
  function counting(inner: SqlDriver): SqlDriver {
    return {
      kind: inner.kind,
      query: <R>(sql: string, params?: readonly unknown[]) => {
        driverCalls += 1;
        return inner.query<R>(sql, params);
      },
      exec: (sql: string) => {
        driverCalls += 1;
        return inner.exec(sql);
      },
      transaction: (fn) => {
        driverCalls += 1;
        return inner.transaction(fn);
      },
      close: () => inner.close(),
    };
  }

  beforeAll(async () => {
    db = await startDatabase("pglite");
    store = await KnowledgeStore.open({ driver: counting(db.driver) });
    await store.ensureTenant(acme);
    documentId = (await store.putDocument(acme, paragraphsDoc("Hello tenant.\n\nSecond paragraph."))).document
      .id;
  });
  afterAll(async () => {
    await db?.stop();
  });

  const methods: Array<[string, (ctx: never) => Promise<unknown>]> = [
    ["ensureTenant", (c) => store.ensureTenant(c)],
    ["deleteTenant", (c) => store.deleteTenant(c)],
    ["putDocument", (c) => store.putDocument(c, paragraphsDoc("Forged write."))],
    ["putDocuments", (c) => store.putDocuments(c, [paragraphsDoc("Forged batch.")])],
    ["getDocument", (c) => store.getDocument(c, documentId)],
    ["getDocumentText", (c) => store.getDocumentText(c, documentId)],
    ["listChunks", (c) => store.listChunks(c, documentId)],
    ["listDocuments", (c) => store.listDocuments(c)],
    ["deleteDocument", (c) => store.deleteDocument(c, documentId)],
    ["search (hybrid)", (c) => store.search(c, { query: "hello" })],
    ["search (lexical)", (c) => store.search(c, { query: "hello", mode: "lexical" })],
    ["withTenant", (c) => store.withTenant(c, (tx) => tx.query("SELECT 1"))],
    ["audit.record", (c) => store.audit.record(c, { action: "document.read" })],
    ["audit.list", (c) => store.audit.list(c)],
  ];
  const forgeries: Array<[string, unknown]> = [
    ["a string", "acme"],
    ["a plain object", { tenantId: "acme" }],
    ["a plain object with every field", { tenantId: "acme", userId: "alice", source: "jwt" }],
    ["an unfrozen copy of a real context", { ...acme }],
    ["null", null],
  ];

  it("counts database calls (control: a real context reaches the database)", async () => {
    const before = driverCalls;
    await store.listDocuments(acme);
    expect(driverCalls).toBeGreaterThan(before);
  });

  it.each(forgeries)(
    "rejects %s on every method with invalid_input before any SQL runs",
    async (_l, forged) => {
      const before = driverCalls;
      for (const [name, call] of methods) {
        const error = await errorOf(() => call(forged as never));
        expect(error, name).toBeInstanceOf(RagKitError);
        expect(error, name).toMatchObject({ code: "invalid_input", details: [{ path: "tenant" }] });
        expect((error as Error).message, name).toMatch(
          /TenantContext from createTenantContext\(\) is required/,
        );
      }
      expect(driverCalls).toBe(before);
      // And nothing was written or removed.
      expect((await store.listDocuments(acme)).documents.map((d) => d.id)).toEqual([documentId]);
    },
  );

  it("does not type-check a string or a plain object where a TenantContext is required", async () => {
    // Each @ts-expect-error below is verified by `tsc --noEmit` (an unused directive is itself an error);
    // at runtime the same calls are rejected by assertTenantContext.
    // @ts-expect-error a bare tenant id is not a TenantContext
    const fromString: TenantContext = "acme";
    // @ts-expect-error a plain object lacks the module-private brand
    const fromObject: TenantContext = { tenantId: "acme", userId: null, source: "jwt" };
    // @ts-expect-error createTenantContext takes a verified identity object, not a bare id
    const fromBareId = () => createTenantContext("acme");
    // @ts-expect-error store methods take a TenantContext, not a string
    const listed = store.listDocuments("acme");
    // @ts-expect-error store methods take a TenantContext, not a plain object
    const fetched = store.getDocument({ tenantId: "acme" }, documentId);
    // @ts-expect-error raw SQL scope takes a TenantContext, not a string
    const raw = store.withTenant("acme", (tx) => tx.query("SELECT 1"));
    // @ts-expect-error the audit log takes a TenantContext, not a plain object
    const audited = store.audit.record({ tenantId: "acme", userId: null, source: "x" }, { action: "a.b" });

    expect(() => assertTenantContext(fromString)).toThrow(ValidationError);
    expect(() => assertTenantContext(fromObject)).toThrow(ValidationError);
    expect(fromBareId).toThrow(ValidationError);
    for (const pending of [listed, fetched, raw, audited]) {
      await expect(pending).rejects.toMatchObject({ code: "invalid_input" });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTenantContext,
  IngestionQueue,
  indexLoadedDocument,
  KnowledgeStore,
  RunStore,
  type TenantContext,
} from "../../src/index.js";
import {
  displayText,
  fromJsonb,
  replaceUnstorable,
  replaceUnstorableJson,
  toJsonb,
} from "../../src/store/storable.js";
import { type DriverKind, driverKinds, startDatabase, type TestDatabase } from "../support/databases.js";

/** Issue 17 "nothing half-written": every text core writes is refused, stored losslessly or escaped — never lost. */

const NUL = "a\u0000b";
const HIGH = "x\uD800y";
const LOW = "x\uDC00y";
const PAIR = "emoji 😀 ok";

const jsonbCases: Array<[string, Record<string, unknown>]> = [
  ["plain", { a: 1, b: "text", c: [true, null] }],
  ["NUL", { delta: NUL }],
  ["lone high surrogate", { delta: HIGH }],
  ["lone low surrogate", { nested: { list: [LOW] } }],
  ["NUL in a key", { [NUL]: 1 }],
  ["the wrapper's own key", { "$ragkit:json": "{}" }],
  ["a surrogate pair", { delta: PAIR }],
];

describe("toJsonb / fromJsonb", () => {
  it.each(jsonbCases)("round-trips %s exactly", (_, value) => {
    expect(fromJsonb(JSON.parse(toJsonb(value)))).toEqual(value);
    expect(fromJsonb(toJsonb(value))).toEqual(value);
  });

  it("stores plain values unwrapped (queryable as jsonb)", () => {
    expect(toJsonb({ a: "b" })).toBe('{"a":"b"}');
  });
});

describe("displayText", () => {
  it("escapes NUL and unpaired surrogates visibly and keeps pairs", () => {
    expect(displayText(`${NUL} ${HIGH} ${LOW} ${PAIR}`, 1000)).toBe(
      "a\\u0000b x\\ud800y x\\udc00y emoji 😀 ok",
    );
  });

  it("cuts without splitting a surrogate pair", () => {
    expect(displayText("ab😀", 3)).toBe("ab");
    expect(displayText("ab😀", 4)).toBe("ab😀");
  });
});

describe("replaceUnstorable", () => {
  it("replaces one for one, so offsets hold", () => {
    const text = `${NUL}|${HIGH}|${PAIR}`;
    const out = replaceUnstorable(text);
    expect(out.length).toBe(text.length);
    expect(out).toBe(`a\uFFFDb|x\uFFFDy|${PAIR}`);
    expect(replaceUnstorableJson({ [NUL]: [LOW] })).toEqual({ "a\uFFFDb": ["x\uFFFDy"] });
  });
});

describe.each(driverKinds)("persisted text on %s", (kind: DriverKind) => {
  let db: TestDatabase;
  let store: KnowledgeStore;
  let runs: RunStore;
  let a: TenantContext;

  beforeAll(async () => {
    db = await startDatabase(kind);
    store = await KnowledgeStore.open(db.storeOptions);
    runs = new RunStore(store);
    a = createTenantContext({ tenantId: "storable-a", userId: "alice", source: "system" });
    await store.ensureTenant(a);
  });

  afterAll(async () => {
    await store?.close();
    await db?.stop();
  });

  const count = async (table: string) =>
    Number(
      (await db.owner.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${store.schema}.${table}`))[0]!.n,
    );

  it("jsonb accepts every encoded value and gives it back", async () => {
    for (const [name, value] of jsonbCases) {
      const [row] = await db.driver.query<{ v: unknown }>("SELECT $1::jsonb AS v", [toJsonb(value)]);
      expect(fromJsonb(row!.v), name).toEqual(value);
    }
    // What the encoding avoids (in-process only: a failed statement drops pglite-socket's one connection).
    if (kind === "pglite") {
      await expect(db.driver.query("SELECT $1::jsonb", [JSON.stringify({ delta: NUL })])).rejects.toThrow(
        /Unicode|\\u0000/,
      );
    }
  });

  it("run events whose text jsonb cannot hold are stored and read back intact", async () => {
    const run = await runs.createRun(a, { threadId: "storable-thread", title: `Why ${NUL}?` });
    const events = [
      { seq: 1, type: "text_delta", data: { type: "text_delta", delta: NUL } },
      { seq: 2, type: "text_delta", data: { type: "text_delta", delta: HIGH } },
      { seq: 3, type: "tool_call", data: { type: "tool_call", args: { [LOW]: [PAIR] } } },
    ];
    await runs.appendEvents(a, run.id, events.slice(0, 2));
    await runs.finishRun(
      a,
      run.id,
      { status: "failed", errorCode: "x", error: `bad ${NUL}` },
      events.slice(2),
    );
    const stored = await runs.listEvents(a, run.id);
    expect(stored.map(({ seq, type, data }) => ({ seq, type, data }))).toEqual(events);
    const record = await runs.getRun(a, run.id);
    expect(record?.title).toBe("Why a\\u0000b?");
    expect(record?.error).toBe("bad a\\u0000b");
  });

  it("audit details are stored intact; bad text in audit columns is refused before the write", async () => {
    const before = await count("audit_log");
    await store.audit.record(a, {
      action: "agent.sql_query",
      details: { sql: `SELECT '${NUL}'`, other: HIGH },
    });
    const [row] = await store.audit.list(a, { limit: 1 });
    expect(row?.details).toEqual({ sql: `SELECT '${NUL}'`, other: HIGH });
    await expect(store.audit.record(a, { action: "document.read", resourceId: NUL })).rejects.toMatchObject({
      code: "invalid_input",
      details: [{ path: "resourceId", message: expect.stringMatching(/NUL/) }],
    });
    expect(await count("audit_log")).toBe(before + 1);
  });

  it("ids and cursors beyond Postgres ranges are invalid input, not a failed cast", async () => {
    for (const beforeId of ["9223372036854775808", "99999999999999999999", "-1", "abc"]) {
      await expect(store.audit.list(a, { beforeId })).rejects.toMatchObject({ code: "invalid_input" });
    }
    expect(await store.audit.list(a, { beforeId: "9223372036854775807" })).toHaveLength(1);
    const cursor = (createdAt: string) =>
      Buffer.from(JSON.stringify([createdAt, "00000000-0000-4000-8000-000000000000"])).toString("base64url");
    for (const bad of [
      "1",
      "March 7",
      "+275760-09-13T00:00:00.000Z",
      "0000-01-01 00:00:00+00",
      "2024-02-30 00:00:00+00",
      "2024-01-01 00:00:00+16",
    ]) {
      await expect(store.listDocuments(a, { cursor: cursor(bad) })).rejects.toMatchObject({
        code: "invalid_input",
        details: [{ path: "cursor" }],
      });
    }
    for (const good of [
      "2024-01-01 00:00:00.123456+00",
      "2024-02-29T23:59:59Z",
      "0001-01-01 00:00:00+05:30",
    ]) {
      expect((await store.listDocuments(a, { cursor: cursor(good) })).documents).toEqual([]);
    }
  });

  it("documents with text or metadata Postgres cannot store are refused whole, before anything is written", async () => {
    const docs = await count("documents");
    const doc = (over: Record<string, unknown>) => ({
      text: "Plain text.",
      chunks: [{ text: "Plain text.", start: 0, end: 11 }],
      ...over,
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: NUL }, "title"],
      [{ sourceId: HIGH }, "sourceId"],
      [{ metadata: { note: LOW } }, "metadata.note"],
      [{ metadata: JSON.parse('{"__proto__":{"x":1}}') }, "metadata"],
      [{ metadata: { n: Number.POSITIVE_INFINITY } }, "metadata.n"],
      [{ metadata: { big: "x".repeat(70_000) } }, "metadata"],
      [{ text: NUL, chunks: [{ text: NUL, start: 0, end: 3 }] }, "text"],
    ];
    for (const [over, path] of cases) {
      const error = await store.putDocument(a, doc(over) as never).catch((e: unknown) => e);
      expect(error, path).toMatchObject({ code: "invalid_input" });
      expect((error as { details: Array<{ path: string }> }).details.map((d) => d.path)).toContain(path);
    }
    expect(await count("documents")).toBe(docs);
  });

  it("text a loader extracted is made storable one for one, offsets intact", async () => {
    const text = `Title line\n\nBody with a stray ${NUL} and ${HIGH}.`;
    const result = await indexLoadedDocument(
      store,
      a,
      {
        kind: "text",
        mimeType: "text/plain",
        text,
        title: `Doc ${NUL}`,
        pages: [],
        sections: [],
        metadata: { author: `Ann${NUL}` },
      },
      { sourceId: "storable/extracted" },
    );
    const { document, text: stored } = await store.getDocumentText(a, result.document.id);
    expect(stored.length).toBe(text.length);
    expect(stored).toContain("stray a\uFFFDb and x\uFFFDy.");
    expect(document.title).toBe("Doc a\uFFFDb");
    expect(document.metadata.author).toBe("Anna\uFFFDb");
  });

  it("ingestion jobs refuse unstorable input at enqueue; progress and errors are escaped, never refused", async () => {
    const queue = new IngestionQueue(store, { workerId: "storable", pollIntervalMs: 50 });
    const jobs = await count("jobs");
    for (const input of [{ filename: `a${NUL}.txt` }, { title: HIGH }, { metadata: { k: LOW } }]) {
      await expect(
        queue.enqueue(a, { data: new TextEncoder().encode("hello"), ...input }),
      ).rejects.toMatchObject({ code: "invalid_input" });
    }
    expect(await count("jobs")).toBe(jobs);
    const job = await queue.enqueue(a, { data: new TextEncoder().encode("hello world"), filename: "ok.txt" });
    await expect(queue.events(a, job.id, { afterId: "9223372036854775808" }).next()).rejects.toMatchObject({
      code: "invalid_input",
    });
  });
});

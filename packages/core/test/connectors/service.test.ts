import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONNECTOR_KEY_ENV,
  CONNECTOR_OLD_KEYS_ENV,
  keyIdOf,
  SecretBox,
} from "../../src/connectors/crypto.js";
import { ConnectorService } from "../../src/connectors/service.js";
import { NotFoundError } from "../../src/errors/index.js";
import type { TenantContext } from "../../src/tenant/context.js";
import { collect, type Harness, startHarness, testEgress } from "./helpers.js";

const SECRET = "s3-secret-AKIA/never+returned";

describe("SecretBox (AES-256-GCM)", () => {
  it("round-trips, binds the ciphertext to its tenant and connector, and refuses a wrong or unknown key", () => {
    const key = randomBytes(32);
    const box = new SecretBox(key);
    const sealed = box.seal(SECRET, "t1:c1");
    expect(sealed.keyId).toBe(keyIdOf(key));
    expect(Buffer.from(sealed.ciphertext).toString("latin1")).not.toContain("never");
    expect(box.open(sealed, "t1:c1")).toBe(SECRET);
    expect(() => box.open(sealed, "t2:c1")).toThrow(/could not be decrypted/);
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[20]! ^= 1;
    expect(() => box.open({ ...sealed, ciphertext: tampered }, "t1:c1")).toThrow(/could not be decrypted/);
    // Same key id, other key material: authentication fails.
    const impostor = new SecretBox(randomBytes(32));
    expect(() => impostor.open({ ...sealed, keyId: impostor.currentKeyId }, "t1:c1")).toThrow(
      /could not be decrypted/,
    );
    expect(() => impostor.open(sealed, "t1:c1")).toThrow(
      new RegExp(`key ${sealed.keyId}.*${CONNECTOR_OLD_KEYS_ENV}`),
    );
  });

  it("reads its keys from the environment and never echoes a bad key", () => {
    const current = randomBytes(32).toString("base64");
    const old = randomBytes(32).toString("base64");
    const box = SecretBox.fromEnv({ [CONNECTOR_KEY_ENV]: current, [CONNECTOR_OLD_KEYS_ENV]: ` ${old} ` });
    expect(box.currentKeyId).toBe(keyIdOf(Buffer.from(current, "base64")));
    expect(box.hasKey(keyIdOf(Buffer.from(old, "base64")))).toBe(true);
    expect(() => SecretBox.fromEnv({})).toThrow(new RegExp(`${CONNECTOR_KEY_ENV} is not set`));
    const short = "c2hvcnQta2V5LXZhbHVl";
    let message = "";
    try {
      SecretBox.fromEnv({ [CONNECTOR_KEY_ENV]: short });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/exactly 32 bytes/);
    expect(message).not.toContain(short);
  });
});

describe("ConnectorService", () => {
  let h: Harness;
  let a: TenantContext;
  let b: TenantContext;
  let dir: string;

  beforeAll(async () => {
    h = await startHarness();
    a = await h.tenant();
    b = await h.tenant();
    dir = mkdtempSync(join(tmpdir(), "ragkit-svc-"));
    writeFileSync(join(dir, "one.md"), "# One\n\nA single note.");
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h?.stop();
  });

  const s3 = (ctx: TenantContext, name = "bucket") =>
    h.service.create(ctx, {
      kind: "s3",
      name,
      config: {
        bucket: "tenant-a-bucket",
        endpoint: "http://127.0.0.1:9",
        forcePathStyle: true,
        maxAttempts: 1,
      },
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: SECRET },
    });

  it("stores credentials encrypted and never returns them from create, get, list or update", async () => {
    const c = await s3(a);
    expect(c).toMatchObject({ kind: "s3", name: "bucket", hasCredentials: true, tenantId: a.tenantId });
    expect(c.config).toMatchObject({ bucket: "tenant-a-bucket", region: "us-east-1", forcePathStyle: true });
    const updated = await h.service.update(a, c.id, {
      name: "renamed",
      credentials: { accessKeyId: "AKIAEXAMPLE2", secretAccessKey: `${SECRET}-2` },
    });
    expect(updated.name).toBe("renamed");
    const everything = JSON.stringify([c, updated, await h.service.get(a, c.id), await h.service.list(a)]);
    expect(everything).not.toContain("never+returned");
    expect(everything).not.toContain("AKIAEXAMPLE");
    // At rest: only ciphertext (the owner's view, bypassing RLS).
    const raw = await h.db.pglite.query<{ secret: Uint8Array; secret_key_id: string; config: unknown }>(
      `SELECT secret, secret_key_id, config FROM ${h.store.schema}.connectors WHERE id = $1`,
      [c.id],
    );
    expect(Buffer.from(raw.rows[0]!.secret).toString("latin1")).not.toContain("never+returned");
    expect(JSON.stringify(raw.rows[0]!.config)).not.toContain("AKIA");
    expect(raw.rows[0]!.secret_key_id).toBe(keyIdOf(h.key));
  });

  it("validates input per kind without echoing secret values", async () => {
    await expect(
      h.service.create(a, {
        kind: "s3",
        name: "x",
        config: { bucket: "" },
        credentials: { accessKeyId: "k", secretAccessKey: "s" },
      }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    const error = (await h.service
      .create(a, {
        kind: "s3",
        name: "x",
        config: { bucket: "okay-bucket" },
        credentials: {
          accessKeyId: "k",
          secretAccessKey: 42 as unknown as string,
          extra: "leak-me",
        } as never,
      })
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/credentials/);
    expect(error.message).toMatch(/extra/);
    expect(error.message).not.toContain("leak-me");
    await expect(h.service.create(a, { kind: "ftp", name: "x", config: {} } as never)).rejects.toMatchObject({
      code: "invalid_input",
    });
  });

  it("isolates tenants: B cannot see, sync, update or delete A's connector (same as a missing one)", async () => {
    const c = await s3(a, "a-only");
    expect((await h.service.list(b)).map((x) => x.id)).not.toContain(c.id);
    await expect(h.service.get(b, c.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(collect(h.service.sync(b, c.id))).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.service.update(b, c.id, { name: "mine" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.service.delete(b, c.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.service.objects(b, c.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.service.get(b, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(h.service.get(b, "not-a-uuid")).rejects.toBeInstanceOf(NotFoundError);
    expect((await h.service.get(a, c.id)).name).toBe("a-only");
    // RLS, not just the service: B's raw view of the tables is empty.
    const rows = await h.store.withTenant(b, (tx) =>
      tx.query(
        `SELECT id FROM ${h.store.schema}.connectors UNION ALL SELECT connector_id FROM ${h.store.schema}.connector_objects`,
      ),
    );
    expect(rows).toEqual([]);
  });

  it("fails a sync clearly when the stored credentials cannot be decrypted with the configured key", async () => {
    const c = await s3(a, "old-key");
    const other = new ConnectorService(h.store, h.queue, {
      secrets: new SecretBox(randomBytes(32)),
      egress: testEgress,
    });
    const error = (await collect(other.sync(a, c.id)).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: "config_error" });
    expect(error.message).toMatch(/not configured/);
    expect(error.message).not.toContain("never+returned");
    expect((await h.service.get(a, c.id)).lastSync).toMatchObject({ status: "failed", error: error.message });
    // The failed attempt released its claim: a sync with the right key runs (and fails at the unreachable source).
    await expect(collect(h.service.sync(a, c.id))).rejects.toMatchObject({ failure: "network" });
  });

  it("rotates the key: re-encrypts with the new key while the old one is still accepted", async () => {
    const c = await s3(a, "rotate");
    const newKey = randomBytes(32);
    const rotating = new ConnectorService(h.store, h.queue, {
      secrets: new SecretBox(newKey, [h.key]),
      egress: testEgress,
    });
    expect(await rotating.reencryptSecrets(a)).toBeGreaterThanOrEqual(1);
    expect(await rotating.reencryptSecrets(a)).toBe(0);
    const raw = await h.db.pglite.query<{ secret_key_id: string }>(
      `SELECT secret_key_id FROM ${h.store.schema}.connectors WHERE id = $1`,
      [c.id],
    );
    expect(raw.rows[0]!.secret_key_id).toBe(keyIdOf(newKey));
    // Only the new key from now on: the sync gets past decryption and fails at the (unreachable) source.
    const rotated = new ConnectorService(h.store, h.queue, {
      secrets: new SecretBox(newKey),
      egress: testEgress,
    });
    const error = await collect(rotated.sync(a, c.id)).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "network" });
  });

  it("runs one sync of a connector at a time and deletes a connector with its documents", async () => {
    const c = await h.service.create(a, { kind: "dir", name: "notes", config: { root: dir } });
    const running = h.service.sync(a, c.id);
    await running.next(); // claimed: "started"
    await expect(collect(h.service.sync(a, c.id))).rejects.toMatchObject({ code: "conflict" });
    await collect(running);
    expect(await h.queue.drain()).toBe(1);
    expect((await h.store.listDocuments(a)).documents.some((d) => d.sourceId === `${c.id}:one.md`)).toBe(
      true,
    );
    await h.service.delete(a, c.id, { deleteDocuments: true });
    await expect(h.service.get(a, c.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await h.store.listDocuments(a)).documents.some((d) => d.sourceId === `${c.id}:one.md`)).toBe(
      false,
    );
  });
});

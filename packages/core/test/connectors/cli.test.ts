import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectorsAddCommand,
  connectorsListCommand,
  credentialsFromEnv,
  egressAllowFromEnv,
  syncCommand,
} from "../../src/cli/connectors.js";
import { buildCli } from "../../src/cli/main.js";
import { CONNECTOR_KEY_ENV } from "../../src/connectors/crypto.js";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

describe("ragkit connectors / ragkit sync (in-process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ragkit-cli-conn-"));
  const db = join(dir, "db");
  const docs = join(dir, "docs");
  const base = { tenant: "acme", db };

  beforeAll(() => {
    process.env[CONNECTOR_KEY_ENV] = randomBytes(32).toString("base64");
    mkdirSync(docs);
    writeFileSync(join(docs, "a.md"), "# A\n\nAbout pelicans.");
    writeFileSync(join(docs, "b.txt"), "About cormorants.");
    writeFileSync(join(docs, "c.bin"), Buffer.from([0, 1, 2, 3, 0, 0, 0, 255, 254, 0]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("adds a directory connector through the command line, lists it, syncs it with a JSON summary, then re-syncs", {
    timeout: 120_000,
  }, async () => {
    await buildCli()
      .exitOverride()
      .configureOutput({ writeOut: () => {}, writeErr: () => {} })
      .parseAsync([
        "node",
        "ragkit",
        "connectors",
        "add",
        "dir",
        docs,
        "-n",
        "docs",
        "-t",
        "acme",
        "--db",
        db,
        "--json",
      ]);
    const listed = new Capture();
    const [connector] = await connectorsListCommand({ ...base, json: true, out: listed });
    expect(connector).toMatchObject({ kind: "dir", name: "docs", config: { root: docs } });
    expect(JSON.parse(listed.text)).toHaveLength(1);

    const out = new Capture();
    const summary = await syncCommand(connector!.id, { ...base, json: true, out });
    const printed = JSON.parse(out.text.trim().split("\n").at(-1)!);
    expect(printed).toMatchObject({
      status: "partial",
      listed: 3,
      created: 2,
      failed: 1,
      jobs: { done: 2, failed: 0 },
    });
    expect(printed.failures).toEqual([expect.objectContaining({ key: "c.bin", code: "unsupported_type" })]);
    expect(summary.objectsPerSecond).toBeGreaterThan(0);

    const human = new Capture();
    const again = await syncCommand(connector!.id, { ...base, out: human });
    expect(again).toMatchObject({
      status: "succeeded",
      unchanged: 3,
      fetched: 0,
      jobs: { done: 0, failed: 0 },
    });
    expect(human.text).toMatch(/succeeded: 3 listed, 0 new, 0 changed, 0 deleted, 3 unchanged/);
  });

  it("reaches public endpoints only unless RAGKIT_EGRESS_ALLOW lists the private ones", async () => {
    const input = { kind: "urls" as const, name: "intranet", config: { urls: ["http://127.0.0.1:9/wiki"] } };
    await expect(connectorsAddCommand(input, { ...base, env: {}, out: new Capture() })).rejects.toThrow(
      /urls\.0: Refused to connect to 127\.0\.0\.1: it is a loopback address/,
    );
    expect(egressAllowFromEnv({ RAGKIT_EGRESS_ALLOW: " 10.0.0.0/8, minio.internal ,," })).toEqual([
      "10.0.0.0/8",
      "minio.internal",
    ]);
    const out = new Capture();
    const created = await connectorsAddCommand(input, {
      ...base,
      env: { RAGKIT_EGRESS_ALLOW: "127.0.0.1" },
      out,
    });
    expect(created).toMatchObject({ kind: "urls", config: { urls: ["http://127.0.0.1:9/wiki"] } });
  });

  it("takes S3 and SharePoint credentials from the environment only, naming the missing variable", async () => {
    expect(credentialsFromEnv("s3", { AWS_ACCESS_KEY_ID: "id", AWS_SECRET_ACCESS_KEY: "secret" })).toEqual({
      accessKeyId: "id",
      secretAccessKey: "secret",
    });
    await expect(
      connectorsAddCommand(
        { kind: "sharepoint", name: "sp", config: { tenantId: "contoso", clientId: "c", driveId: "b!x" } },
        { ...base, env: {}, out: new Capture() },
      ),
    ).rejects.toThrow(/RAGKIT_SHAREPOINT_CLIENT_SECRET/);
  });
});

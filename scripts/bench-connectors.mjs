#!/usr/bin/env node
// S3 connector throughput against a real S3-compatible server (s3rver, child process on 127.0.0.1):
// a first sync of N objects (list + GET + enqueue), a re-sync with no changes (list + diff only), a re-sync
// after changing 1% of the objects, and optionally the ingestion of the queued jobs.
//
//   npm run bench:connectors -- [--objects 1200] [--bytes 400] [--concurrency 8] [--ingest] [--json]
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createRagKit, createTenantContext, SecretBox } from "@ragkit/core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    objects: { type: "string", default: "1200" },
    bytes: { type: "string", default: "400" },
    concurrency: { type: "string", default: "8" },
    ingest: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const N = Math.max(1, Number(values.objects));
const BYTES = Math.max(16, Number(values.bytes));
const CONCURRENCY = Math.max(1, Number(values.concurrency));
const log = values.json ? () => {} : (...a) => console.log(...a);

const dataDir = mkdtempSync(join(tmpdir(), "ragkit-bench-s3-"));
// s3rver seals continuation tokens with DES: only available under OpenSSL's legacy provider.
const child = fork(join(root, "packages/core/test/connectors/s3rver-child.cjs"), [dataDir], {
  execArgv: ["--openssl-legacy-provider"],
  stdio: ["ignore", "ignore", "inherit", "ipc"],
});
const [{ port }] = await once(child, "message");
const endpoint = `http://127.0.0.1:${port}`;
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const bucket = "bench-bucket";
const s3 = new S3Client({
  region: "us-east-1",
  endpoint,
  forcePathStyle: true,
  credentials: { ...credentials },
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
});

const words =
  "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma".split(" ");
const body = (i, v = 0) => {
  let text = `Document ${i} version ${v}.`;
  for (let k = 0; text.length < BYTES; k++) text += ` ${words[(i * 7 + k * 3 + v) % words.length]}`;
  return text.slice(0, BYTES);
};
const key = (i) => `bench/${String(i).padStart(6, "0")}.txt`;

// s3rver listens on loopback: allowed explicitly (the default egress policy is public addresses only).
const kit = await createRagKit({
  ingestion: { workerId: "bench" },
  connectors: { secrets: new SecretBox(randomBytes(32)), egress: { allow: ["127.0.0.1"] } },
});
const { store, ingestion: queue, connectors: service } = kit;
try {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  log(`uploading ${N} objects of ${BYTES} bytes to s3rver at ${endpoint} …`);
  for (let i = 0; i < N; i += 32) {
    await Promise.all(
      Array.from({ length: Math.min(32, N - i) }, (_, k) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i + k), Body: body(i + k) })),
      ),
    );
  }
  const ctx = createTenantContext({ tenantId: "bench", userId: "bench" });
  await store.ensureTenant(ctx);
  const connector = await service.create(ctx, {
    kind: "s3",
    name: "bench",
    config: { bucket, endpoint, forcePathStyle: true },
    credentials,
  });

  const timed = async (label) => {
    const started = performance.now();
    let summary;
    const sync = service.sync(ctx, connector.id, { concurrency: CONCURRENCY });
    for (;;) {
      const next = await sync.next();
      if (next.done) {
        summary = next.value;
        break;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const row = {
      run: label,
      listed: summary.listed,
      fetched: summary.fetched,
      enqueued: summary.jobIds.length,
      seconds: Number(seconds.toFixed(2)),
      objectsPerSecond: Number((summary.listed / seconds).toFixed(1)),
      fetchedPerSecond: summary.fetched ? Number((summary.fetched / seconds).toFixed(1)) : 0,
    };
    log(
      `${label.padEnd(22)} ${String(row.listed).padStart(6)} listed ${String(row.fetched).padStart(6)} fetched ` +
        `${row.seconds.toFixed(2).padStart(7)} s  ${String(row.objectsPerSecond).padStart(8)} objects/s`,
    );
    return row;
  };

  // Baseline: the server's own GetObject throughput at the same concurrency, to tell S3 time from ours.
  const baseStarted = performance.now();
  for (let i = 0; i < N; i += CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, N - i) }, async (_, k) => {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key(i + k) }));
        await res.Body.transformToByteArray();
      }),
    );
  }
  const baseSeconds = (performance.now() - baseStarted) / 1000;
  const baseline = {
    gets: N,
    seconds: Number(baseSeconds.toFixed(2)),
    getsPerSecond: Number((N / baseSeconds).toFixed(1)),
  };
  log(
    `${"baseline: raw GETs".padEnd(22)} ${String(N).padStart(6)} GETs   ${baseline.seconds.toFixed(2).padStart(7)} s  ${String(baseline.getsPerSecond).padStart(8)} GETs/s`,
  );

  const results = [];
  results.push(await timed("first sync"));
  results.push(await timed("re-sync, no changes"));
  const changed = Math.max(1, Math.round(N / 100));
  for (let i = 0; i < changed; i++) {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key((i * 97) % N), Body: body((i * 97) % N, 1) }),
    );
  }
  results.push(await timed(`re-sync, ${changed} changed`));
  let ingest = null;
  if (values.ingest) {
    const started = performance.now();
    const jobs = await queue.drain();
    const seconds = (performance.now() - started) / 1000;
    ingest = {
      jobs,
      seconds: Number(seconds.toFixed(2)),
      jobsPerSecond: Number((jobs / seconds).toFixed(1)),
    };
    log(`ingest queued jobs     ${jobs} jobs in ${ingest.seconds} s  ${ingest.jobsPerSecond} jobs/s`);
  }
  if (values.json)
    console.log(
      JSON.stringify({ objects: N, bytes: BYTES, concurrency: CONCURRENCY, baseline, results, ingest }),
    );
} finally {
  s3.destroy();
  await kit.close();
  child.send("stop");
  await once(child, "exit");
  rmSync(dataDir, { recursive: true, force: true });
}

import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface TestS3 {
  endpoint: string;
  client: S3Client;
  /** GetObject requests served so far (listings excluded). */
  gets(): Promise<number>;
  put(bucket: string, key: string, body: string | Uint8Array): Promise<void>;
  remove(bucket: string, key: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver, in a child process) on 127.0.0.1, random port, data in a temp directory.
 */
export async function startS3(buckets: string[]): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), "ragkit-s3rver-"));
  const child: ChildProcess = fork(join(import.meta.dirname, "s3rver-child.cjs"), [directory], {
    execArgv: ["--openssl-legacy-provider"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const ask = async <T>(message: string): Promise<T> => {
    const reply = once(child, "message");
    child.send(message);
    return (await reply)[0] as T;
  };
  const [{ port }] = (await once(child, "message")) as [{ port: number }];
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS }, // a copy: the SDK tags the object it is given
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  for (const Bucket of buckets) await client.send(new CreateBucketCommand({ Bucket }));
  return {
    endpoint,
    client,
    gets: async () => (await ask<{ gets: number }>("gets")).gets,
    put: async (Bucket, Key, Body) => {
      await client.send(new PutObjectCommand({ Bucket, Key, Body }));
    },
    remove: async (Bucket, Key) => {
      await client.send(new DeleteObjectCommand({ Bucket, Key }));
    },
    stop: async () => {
      client.destroy();
      const exited = once(child, "exit");
      child.send("stop");
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { expect } from "vitest";
import { RagKitError, type RagKitErrorCode } from "../../src/errors/index.js";

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

export function fixture(name: string): Uint8Array {
  // A plain Uint8Array (not a Buffer), like a browser upload would hand us.
  return new Uint8Array(readFileSync(join(fixturesDir, name)));
}

export function fixturePath(name: string): string {
  return join(fixturesDir, name);
}

/** Awaits `promise`, asserts it rejects with a RagKitError of `code` whose message matches, returns it. */
export async function expectRagKitError(
  promise: Promise<unknown>,
  code: RagKitErrorCode,
  message: RegExp,
): Promise<RagKitError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected the promise to reject").toBeInstanceOf(RagKitError);
  const error = caught as RagKitError;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  return error;
}

// ----------------------------------------------------------------------------------------- ZIP writer
// A tiny ZIP writer so tests can craft archives fflate would not produce: precompressed entries, lying size
// fields, thousands of entries. Little-endian throughout; no ZIP64.

export interface RawZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: 0 | 8;
  /** The bytes exactly as stored in the archive (already compressed for method 8). */
  payload: Uint8Array;
  crc: number;
  /** Uncompressed size written into both headers (may lie on purpose). */
  uncompressedSize: number;
}

export function deflatedEntry(name: string, data: Uint8Array): RawZipEntry {
  return {
    name,
    method: 8,
    payload: new Uint8Array(zlib.deflateRawSync(data)),
    crc: zlib.crc32(data),
    uncompressedSize: data.byteLength,
  };
}

export function storedEntry(name: string, data: Uint8Array): RawZipEntry {
  return { name, method: 0, payload: data, crc: zlib.crc32(data), uncompressedSize: data.byteLength };
}

/**
 * A deflated entry of `megabytes` MiB of zeros, compressed as a stream from one reused 1 MiB buffer: the
 * test never holds the uncompressed data (≈300 KiB of output for 300 MiB of input).
 */
export async function zeroBombEntry(name: string, megabytes: number): Promise<RawZipEntry> {
  const chunk = Buffer.alloc(1024 * 1024);
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on("end", resolve);
    deflate.on("error", reject);
  });
  let crc = 0;
  for (let i = 0; i < megabytes; i++) {
    crc = zlib.crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await done;
  return {
    name,
    method: 8,
    payload: new Uint8Array(Buffer.concat(out)),
    crc,
    uncompressedSize: megabytes * 1024 * 1024,
  };
}

export function buildZip(entries: readonly RawZipEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(0, 10); // time + date
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.payload.byteLength, 18);
    local.writeUInt32LE(entry.uncompressedSize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    chunks.push(local, name, entry.payload);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // version made by
    header.writeUInt16LE(20, 6); // version needed
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(entry.method, 10);
    header.writeUInt32LE(0, 12);
    header.writeUInt32LE(entry.crc >>> 0, 16);
    header.writeUInt32LE(entry.payload.byteLength, 20);
    header.writeUInt32LE(entry.uncompressedSize, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += local.length + name.length + entry.payload.byteLength;
  }
  const centralSize = central.reduce((sum, c) => sum + c.byteLength, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...chunks, ...central, end]));
}

import { type Unzipped, unzipSync, zipSync } from "fflate";
import { RagKitError } from "../../errors/index.js";
import { errorMessage, formatBytes } from "./shared.js";

/** One entry of a ZIP central directory, as declared (nothing is decompressed to list it). */
export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  /** The uncompressed size the archive *declares*. */
  uncompressedSize: number;
  /** ZIP compression method: 0 = stored, 8 = deflate. */
  compression: number;
}

export interface ZipLimits {
  /** Upper bound for the sum of the declared uncompressed sizes of all entries. */
  maxDecompressedBytes: number;
}

/** More entries than any real DOCX has (a long report with many images has a few hundred). */
export const MAX_ZIP_ENTRIES = 10_000;
/**
 * Deflate cannot do better than ~1032:1, and only on degenerate input such as runs of zeros. Real DOCX
 * parts stay far below this: text XML compresses 5–20×, and even 20,000 identical paragraphs reach ~270×.
 * An entry above this ratio (and above MIN_BYTES_FOR_RATIO_CHECK) is treated as a decompression bomb.
 */
export const MAX_ENTRY_COMPRESSION_RATIO = 500;
export const MIN_BYTES_FOR_RATIO_CHECK = 1024 * 1024;

function tooLarge(message: string): RagKitError {
  return new RagKitError("too_large", message);
}

/**
 * Reads the ZIP central directory with fflate without inflating anything (the filter returns false for
 * every entry) and rejects the archive as soon as the declared sizes break a limit, so a zip bomb is refused
 * before a single byte of it is decompressed. Throws `invalid_input` if the data is not a readable ZIP.
 */
export function inspectZip(data: Uint8Array, limits: ZipLimits): ZipEntryInfo[] {
  const entries: ZipEntryInfo[] = [];
  let declaredTotal = 0;
  try {
    unzipSync(data, {
      filter(file) {
        if (entries.length >= MAX_ZIP_ENTRIES) {
          throw tooLarge(`ZIP archive has more than ${MAX_ZIP_ENTRIES} entries.`);
        }
        const { name, size, originalSize, compression } = file;
        if (
          !Number.isSafeInteger(originalSize) ||
          originalSize < 0 ||
          !Number.isSafeInteger(size) ||
          size < 0
        ) {
          throw new RagKitError(
            "invalid_input",
            `ZIP entry "${name.slice(0, 100)}" declares an invalid size.`,
          );
        }
        declaredTotal += originalSize;
        if (declaredTotal > limits.maxDecompressedBytes) {
          throw tooLarge(
            `Archive decompressed size exceeds the limit: its entries declare more than ${formatBytes(
              limits.maxDecompressedBytes,
            )} uncompressed (maxDecompressedBytes = ${limits.maxDecompressedBytes}); refusing to decompress it.`,
          );
        }
        if (originalSize >= MIN_BYTES_FOR_RATIO_CHECK && originalSize > size * MAX_ENTRY_COMPRESSION_RATIO) {
          const ratio = size === 0 ? "∞" : `${Math.round(originalSize / size)}:1`;
          throw tooLarge(
            `Archive decompressed size exceeds what its content can plausibly hold: entry "${name.slice(
              0,
              100,
            )}" expands ${formatBytes(size)} to ${formatBytes(originalSize)} (ratio ${ratio}, limit ${MAX_ENTRY_COMPRESSION_RATIO}:1); this looks like a decompression bomb.`,
          );
        }
        entries.push({ name, compressedSize: size, uncompressedSize: originalSize, compression });
        return false;
      },
    });
  } catch (error) {
    if (error instanceof RagKitError) throw error;
    throw new RagKitError("invalid_input", `Not a readable ZIP archive: ${errorMessage(error)}.`, {
      cause: error,
    });
  }
  return entries;
}

/**
 * Decompresses the named entries with fflate. Every entry is inflated into a buffer of exactly its declared
 * size, so an archive that under-declares an entry cannot make it grow past what `inspectZip` accepted.
 */
export function extractEntries(
  data: Uint8Array,
  entries: readonly ZipEntryInfo[],
  names: ReadonlySet<string>,
): Unzipped {
  for (const entry of entries) {
    if (names.has(entry.name) && entry.compression !== 0 && entry.compression !== 8) {
      throw new RagKitError(
        "invalid_input",
        `ZIP entry "${entry.name.slice(0, 100)}" uses unsupported compression method ${entry.compression}.`,
      );
    }
  }
  try {
    return unzipSync(data, { filter: (file) => names.has(file.name) });
  } catch (error) {
    throw new RagKitError("invalid_input", `Corrupt ZIP archive: ${errorMessage(error)}.`, { cause: error });
  }
}

/** Re-packs already decompressed entries into a "stored" (uncompressed) ZIP. */
export function packStored(files: Unzipped): Uint8Array {
  const input: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, bytes] of Object.entries(files)) input[name] = [bytes, { level: 0 }];
  return zipSync(input);
}

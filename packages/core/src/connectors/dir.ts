import { open, stat } from "node:fs/promises";
import { basename, join, sep } from "node:path";
import { glob } from "tinyglobby";
import { ConnectorError } from "./errors.js";
import type { Connector, DirConfig, ListPage, RemoteObject } from "./types.js";

/**
 * A local (or mounted) directory: files matching the globs, relative path as the key, mtime + size as the
 * version. One listing page; symlinks are not followed out of the root.
 */
export class DirectoryConnector implements Connector {
  readonly kind = "dir";
  readonly mode = "full";
  readonly maxBytes: number;

  constructor(private readonly config: DirConfig) {
    this.maxBytes = config.maxBytes;
  }

  async authenticate(): Promise<void> {
    const s = await stat(this.config.root).catch(() => null);
    if (!s?.isDirectory()) {
      throw new ConnectorError(
        "source_not_found",
        `Directory ${this.config.root} does not exist or is not a directory.`,
      );
    }
  }

  async list(): Promise<ListPage> {
    const files = await glob(this.config.include, {
      cwd: this.config.root,
      ignore: this.config.exclude,
      onlyFiles: true,
      dot: false,
      followSymbolicLinks: false,
    });
    files.sort();
    const objects: RemoteObject[] = [];
    for (const rel of files) {
      const s = await stat(join(this.config.root, rel)).catch(() => null);
      if (!s?.isFile()) continue; // vanished between glob and stat
      objects.push({
        key: rel.split(sep).join("/"),
        version: `${Math.trunc(s.mtimeMs)}:${s.size}`,
        name: basename(rel),
        size: s.size,
        url: `file://${join(this.config.root, rel)}`,
        modifiedAt: s.mtime.toISOString(),
      });
    }
    return { objects, nextCursor: null };
  }

  async fetch(object: RemoteObject): Promise<Uint8Array> {
    const path = join(this.config.root, object.key);
    if (!path.startsWith(this.config.root + sep) && path !== this.config.root) {
      throw new ConnectorError("access_denied", "The file is outside the connector's directory.");
    }
    const handle = await open(path, "r").catch(() => null);
    if (!handle) throw new ConnectorError("source_not_found", "The file no longer exists.");
    try {
      const { size } = await handle.stat();
      if (size > this.maxBytes) {
        throw new ConnectorError("too_large", `File is ${size} bytes; the limit is ${this.maxBytes} bytes.`);
      }
      return new Uint8Array(await handle.readFile());
    } finally {
      await handle.close();
    }
  }
}

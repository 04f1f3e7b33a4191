import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { ConfigError, RagKitError } from "../errors/index.js";

/** Environment variable holding the current key: base64 of 32 random bytes (`openssl rand -base64 32`). */
export const CONNECTOR_KEY_ENV = "RAGKIT_CONNECTOR_KEY";
/** Comma-separated previous keys, still accepted for decryption during a rotation. */
export const CONNECTOR_OLD_KEYS_ENV = "RAGKIT_CONNECTOR_OLD_KEYS";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 1;

export interface SealedSecret {
  /** version (1 byte) ‖ IV (12) ‖ ciphertext ‖ GCM tag (16). */
  ciphertext: Uint8Array;
  keyId: string;
}

/**
 * AES-256-GCM for connector credentials. Each key is identified by a fingerprint (first 16 hex digits of its
 * SHA-256), stored beside every ciphertext, so rotating is: make the new key current, keep the old one in
 * RAGKIT_CONNECTOR_OLD_KEYS, re-encrypt (`ConnectorService.reencryptSecrets`), then drop the old key.
 * The additional authenticated data binds a ciphertext to its tenant and connector: a sealed secret copied
 * onto another row (or tenant) fails to decrypt.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Uint8Array, previous: readonly Uint8Array[] = []) {
    this.currentKeyId = this.add(current);
    for (const key of previous) this.add(key);
  }

  /** From RAGKIT_CONNECTOR_KEY (+ RAGKIT_CONNECTOR_OLD_KEYS). Throws a ConfigError naming the variable. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
    const current = env[CONNECTOR_KEY_ENV];
    if (!current) {
      throw new ConfigError(
        `${CONNECTOR_KEY_ENV} is not set: connector credentials need an encryption key (base64 of 32 bytes, e.g. \`openssl rand -base64 32\`).`,
      );
    }
    const old = (env[CONNECTOR_OLD_KEYS_ENV] ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean);
    return new SecretBox(
      decodeKey(current, CONNECTOR_KEY_ENV),
      old.map((k) => decodeKey(k, CONNECTOR_OLD_KEYS_ENV)),
    );
  }

  hasKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(plaintext: string, aad: string): SealedSecret {
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return {
      ciphertext: Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]),
      keyId: this.currentKeyId,
    };
  }

  open(sealed: SealedSecret, aad: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new ConfigError(
        `The connector's credentials were encrypted with key ${sealed.keyId}, which is not configured ` +
          `(set it in ${CONNECTOR_OLD_KEYS_ENV} to rotate).`,
      );
    }
    const data = Buffer.from(sealed.ciphertext);
    if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== VERSION) {
      throw new RagKitError("config_error", "The connector's stored credentials are malformed.");
    }
    const iv = data.subarray(1, 1 + IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(data.subarray(1 + IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      // No cause attached: the crypto error says nothing useful and nothing secret should ride along.
      throw new RagKitError(
        "config_error",
        "The connector's credentials could not be decrypted (wrong key or tampered data).",
      );
    }
  }

  private add(key: Uint8Array): string {
    if (key.byteLength !== 32) throw new ConfigError("A connector key must be exactly 32 bytes.");
    const id = keyIdOf(key);
    this.keys.set(id, Buffer.from(key));
    return id;
  }
}

export function keyIdOf(key: Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

function decodeKey(value: string, variable: string): Buffer {
  const key = Buffer.from(value, "base64");
  if (key.length !== 32 || !/^[A-Za-z0-9+/=_-]+$/.test(value)) {
    // The value itself is never echoed.
    throw new ConfigError(`${variable} must be base64 of exactly 32 bytes (got ${key.length} bytes).`);
  }
  return key;
}

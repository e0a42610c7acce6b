import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SignedParams {
  key: string;
  /** Unix seconds. */
  expires: number;
  downloadName: string;
}

/**
 * HMAC-SHA256 signatures for the local blob store's download URLs. The signature covers the object key,
 * the expiry and the download name, so a URL opens exactly one object, once valid, under one name.
 */
export function createUrlSigner(secret: Buffer) {
  // A key object is imported once; a raw Buffer is imported again by every createHmac (~0.5 µs).
  const key = createSecretKey(secret);
  const mac = (p: SignedParams) =>
    createHmac('sha256', key).update(`${p.key}\n${p.expires}\n${p.downloadName}`).digest('base64url');
  return {
    sign: (p: SignedParams): string => mac(p),
    verify(p: SignedParams, signature: string): boolean {
      const expected = Buffer.from(mac(p));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

export type UrlSigner = ReturnType<typeof createUrlSigner>;

/** Reads the signing key from the data folder, creating it on first run (readable by the owner only). */
export function loadOrCreateSigningKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'signing.key');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Another process (the CLI, a second server) created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    throw error;
  }
}
